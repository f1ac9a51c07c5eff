"""Signed checkpoints of the audit chain's head, kept outside the database.

The chain (``core/audit.py``) finds any edited or deleted row, but its head (``AuditHead``) lives
in the same database: whoever can delete the newest rows can rewind the head too, and the
shortened log still verifies. A checkpoint records "after ``tree_size`` events the chain's hash
was ``head_hash``", signed, in a file written elsewhere (``AUDIT_CHECKPOINT_DIR``, optionally
e-mailed to ``AUDIT_CHECKPOINT_EMAIL``). ``manage.py audit_verify --checkpoints DIR`` then
requires the log to be at least that long and to hold exactly that hash there.

Format (version 1), one JSON object per file::

    {"format": "samverkan-checkpoint/1", "log": "samverkan/audit", "tree_size": 1234,
     "head_hash": "<64 hex>", "hash_alg": "hmac-sha256-chain", "timestamp": "2026-12-07T02:00:00.000000Z",
     "key_id": "<16 hex>", "sig_alg": "ed25519", "signature": "<base64>"}

The fields follow a signed tree head (RFC 6962/9162): ``tree_size`` and ``head_hash`` are what
a Merkle-tree log would publish as tree size and root hash, so the audit log can move onto such
a log by changing ``hash_alg`` (and ``sig_alg`` to ``ed25519``) without changing the rest.

``signature`` is an Ed25519 signature (RFC 8032, the ``cryptography`` package) over the RFC 8785
canonical JSON (the ``rfc8785`` package) of every other field. The private key is derived by
HKDF-SHA-256 (RFC 5869) from ``AUDIT_CHECKPOINT_KEY`` or, when that is empty, ``AUDIT_CHAIN_KEY``,
with a label of its own, so there is no further secret to keep; ``key_id`` is the start of the
SHA-256 of the raw public key. Anyone holding the public key (``manage.py audit_checkpoint
--public-key`` prints it) can check a checkpoint without any secret, and nobody without the
private key can make one: keep a copy of the public key with the checkpoints.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core.audit import GENESIS, Anchor
from samverkan.core.models import AuditEvent, AuditHead

logger = logging.getLogger(__name__)

FORMAT = "samverkan-checkpoint/1"
LOG_ID = "samverkan/audit"
HASH_ALG = "hmac-sha256-chain"
SIG_ALG = "ed25519"
FIELDS = frozenset(
    {"format", "log", "tree_size", "head_hash", "hash_alg", "timestamp", "key_id", "sig_alg", "signature"}
)
MAX_FILE_BYTES = 64 * 1024
_HKDF_SALT = b"samverkan audit checkpoint"
_HKDF_INFO = b"samverkan/audit-checkpoint/ed25519/v1"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"audit-(\d{16})-[0-9TZ]+(?:-\d+)?\.json")
_MAX_SAFE_INT = 2**53 - 1


class CheckpointError(Exception):
    """A checkpoint file that cannot be trusted: unreadable, malformed or wrongly signed."""


# --- Canonical form and keys ----------------------------------------------------------------
def canonical_json(obj: dict[str, Any]) -> bytes:
    """The bytes that are signed: RFC 8785 (JCS). Only ASCII keys, strings and integers below 2**53
    are allowed in a checkpoint, so every reader serialises it the same way."""
    for key, value in obj.items():
        if not isinstance(key, str) or not key.isascii():
            raise ValueError(f"checkpoint keys must be ASCII strings: {key!r}")
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(f"checkpoint values must be strings or integers: {key}={value!r}")
        if isinstance(value, int) and abs(value) > _MAX_SAFE_INT:
            raise ValueError(f"checkpoint integers must stay below 2**53: {key}")
    return rfc8785.dumps(obj)


def hkdf_sha256(ikm: bytes, *, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """HKDF (RFC 5869) with SHA-256."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def signing_key() -> Ed25519PrivateKey:
    secret = settings.AUDIT_CHECKPOINT_KEY or settings.AUDIT_CHAIN_KEY
    seed = hkdf_sha256(secret.encode(), salt=_HKDF_SALT, info=_HKDF_INFO)
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_pem(key: Ed25519PublicKey | None = None) -> str:
    key = key or public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError("the public key is not an Ed25519 key")
    return key


def key_id(key: Ed25519PublicKey | None = None) -> str:
    """A public name for the key pair: the start of the SHA-256 of the raw public key."""
    raw = (key or public_key()).public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _signature(body: dict[str, Any], key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.sign(canonical_json(body))).decode("ascii")


# --- The checkpoint -------------------------------------------------------------------------
@dataclass(frozen=True)
class Checkpoint:
    tree_size: int
    head_hash: str
    timestamp: str
    key_id: str
    signature: str
    source: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "log": LOG_ID,
            "tree_size": self.tree_size,
            "head_hash": self.head_hash,
            "hash_alg": HASH_ALG,
            "timestamp": self.timestamp,
            "key_id": self.key_id,
            "sig_alg": SIG_ALG,
        }

    def to_json(self) -> bytes:
        return canonical_json({**self.body(), "signature": self.signature}) + b"\n"

    def anchor(self) -> Anchor:
        return Anchor(seq=self.tree_size, hash=self.head_hash, source=self.source)


def sign(tree_size: int, head_hash: str, at: datetime) -> Checkpoint:
    key = signing_key()
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    unsigned = Checkpoint(tree_size, head_hash, stamp, key_id(key.public_key()), signature="")
    return Checkpoint(tree_size, head_hash, stamp, unsigned.key_id, _signature(unsigned.body(), key))


def parse(raw: bytes, source: str = "", key: Ed25519PublicKey | None = None) -> Checkpoint:
    """The checkpoint in ``raw``, or CheckpointError saying why it cannot be trusted. ``key`` is the
    public key to check it with (default: this deployment's)."""
    if len(raw) > MAX_FILE_BYTES:
        raise CheckpointError("the file is too large to be a checkpoint")
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CheckpointError(f"not JSON ({exc})") from exc
    if not isinstance(obj, dict) or set(obj) != FIELDS:
        raise CheckpointError(f"not a checkpoint: the fields must be exactly {', '.join(sorted(FIELDS))}")
    for name, expected in (("format", FORMAT), ("log", LOG_ID), ("hash_alg", HASH_ALG), ("sig_alg", SIG_ALG)):
        if obj[name] != expected:
            raise CheckpointError(f"{name} is {obj[name]!r}, expected {expected!r}")
    size = obj["tree_size"]
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= _MAX_SAFE_INT:
        raise CheckpointError("tree_size is not a whole number of events")
    if not isinstance(obj["head_hash"], str) or not _HEX64.fullmatch(obj["head_hash"]):
        raise CheckpointError("head_hash is not 64 lowercase hex digits")
    if not all(isinstance(obj[name], str) for name in ("timestamp", "key_id", "signature")):
        raise CheckpointError("timestamp, key_id and signature must be strings")
    try:
        datetime.strptime(obj["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError as exc:
        raise CheckpointError("timestamp is not YYYY-MM-DDTHH:MM:SS.ffffffZ") from exc
    checkpoint = Checkpoint(
        size, obj["head_hash"], obj["timestamp"], obj["key_id"], obj["signature"], source=source
    )
    key = key or public_key()
    if checkpoint.key_id != key_id(key):
        raise CheckpointError(
            f"signed with another key (key_id {checkpoint.key_id}, the expected key's is {key_id(key)})"
        )
    try:
        given = base64.b64decode(checkpoint.signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CheckpointError("the signature is not base64") from exc
    try:
        key.verify(given, canonical_json(checkpoint.body()))
    except InvalidSignature:
        raise CheckpointError("the signature does not verify: the checkpoint was altered or forged") from None
    return checkpoint


def load(path: Path, key: Ed25519PublicKey | None = None) -> Checkpoint:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise CheckpointError(f"cannot be read ({exc.strerror})") from exc
    return parse(raw, source=path.name, key=key)


def checkpoint_files(directory: Path) -> list[Path]:
    """The checkpoint files in ``directory`` (``*.json``, not hidden), oldest tree size first."""
    return sorted(p for p in directory.glob("*.json") if not p.name.startswith("."))


def load_all(
    directory: Path, key: Ed25519PublicKey | None = None
) -> tuple[list[Checkpoint], list[tuple[str, str]]]:
    """Every checkpoint in ``directory``, and (file name, reason) for each one refused."""
    good: list[Checkpoint] = []
    bad: list[tuple[str, str]] = []
    for path in checkpoint_files(directory):
        try:
            good.append(load(path, key))
        except CheckpointError as exc:
            bad.append((path.name, str(exc)))
    return good, bad


def anchors(checkpoints: Iterable[Checkpoint]) -> list[Anchor]:
    return [c.anchor() for c in checkpoints]


# --- Writing --------------------------------------------------------------------------------
def _write_new(directory: Path, stem: str, content: bytes) -> Path:
    """Write ``content`` to a new file: a temporary file first, then linked into place, which
    fails rather than replace an existing checkpoint (``os.rename`` would replace it)."""
    tmp = directory / f".tmp-{secrets.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        for attempt in range(100):
            target = directory / (f"{stem}.json" if attempt == 0 else f"{stem}-{attempt}.json")
            try:
                os.link(tmp, target)
            except FileExistsError:
                continue
            break
        else:  # pragma: no cover - a hundred files of the same microsecond
            raise FileExistsError(f"{stem}.json")
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return target


def _newest(directory: Path) -> Path | None:
    # Names carry the tree size zero-padded, then the time: the last name is the newest.
    named = [p for p in checkpoint_files(directory) if _NAME.fullmatch(p.name)]
    return named[-1] if named else None


def _disagreement(newest: Checkpoint, head_seq: int) -> str:
    """Why the log as it stands cannot have grown from ``newest`` ('' if it can)."""
    if newest.tree_size > head_seq:
        return (
            f"the log's head is at event #{head_seq}, but checkpoint {newest.source} covers "
            f"{newest.tree_size} events"
        )
    if newest.tree_size == 0:
        return "" if newest.head_hash == GENESIS else f"checkpoint {newest.source} does not start at genesis"
    row = AuditEvent.objects.filter(seq=newest.tree_size).values_list("hash", flat=True).first()
    if row != newest.head_hash:
        return f"event #{newest.tree_size} differs from checkpoint {newest.source}"
    return ""


@dataclass
class WriteResult:
    checkpoint: Checkpoint
    path: Path | None  # None: the head had not moved since the newest checkpoint
    problem: str = ""  # the log disagrees with the newest earlier checkpoint
    mail_error: str = ""
    mailed: bool = False


def write_checkpoint(directory: Path | None = None, *, force: bool = False) -> WriteResult:
    """Sign the chain's current head and write it as a new file in ``directory`` (default
    ``AUDIT_CHECKPOINT_DIR``, created if missing), then e-mail it to ``AUDIT_CHECKPOINT_EMAIL``.

    Nothing is written when the head has not moved since the newest checkpoint (unless
    ``force``). The head is also compared with the newest checkpoint: a disagreement is returned
    in ``problem`` and logged as an error, and the new checkpoint is written all the same.
    """
    directory = Path(directory or settings.AUDIT_CHECKPOINT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    head = AuditHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    problem = ""
    newest_path = _newest(directory)
    if newest_path is not None:
        try:
            newest = load(newest_path)
        except CheckpointError as exc:
            problem = f"the newest checkpoint {newest_path.name} is not valid: {exc}"
        else:
            if not force and (newest.tree_size, newest.head_hash) == (head_seq, head_hash):
                return WriteResult(newest, None)
            problem = _disagreement(newest, head_seq)
    now = timezone.now()
    checkpoint = sign(head_seq, head_hash, now)
    stem = f"audit-{head_seq:016d}-{now.astimezone(UTC).strftime('%Y%m%dT%H%M%S%fZ')}"
    path = _write_new(directory, stem, checkpoint.to_json())
    checkpoint = replace(checkpoint, source=path.name)
    result = WriteResult(checkpoint, path, problem)
    if problem:
        logger.error("Audit log disagrees with its newest checkpoint: %s", problem)
    if settings.AUDIT_CHECKPOINT_EMAIL:
        _mail(result)
    return result


def _mail(result: WriteResult) -> None:
    assert result.path is not None
    recipients = [a.strip() for a in settings.AUDIT_CHECKPOINT_EMAIL.split(",") if a.strip()]
    checkpoint = result.checkpoint
    body = _(
        "A signed checkpoint of the audit log: %(size)s events, head %(hash)s, at %(timestamp)s.\n"
        "Keep this message (or the attached file) where the platform cannot change it. To check "
        "the log against it, save the file into a folder and run: "
        "manage.py audit_verify --checkpoints <folder>"
    ) % {"size": checkpoint.tree_size, "hash": checkpoint.head_hash, "timestamp": checkpoint.timestamp}
    message = EmailMessage(
        subject=_("Audit log checkpoint #%(size)s") % {"size": checkpoint.tree_size},
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        attachments=[(result.path.name, checkpoint.to_json(), "application/json")],
    )
    try:
        message.send()
    except Exception as exc:  # any mail failure: the file is written, say so and go on
        logger.exception("Could not e-mail audit checkpoint %s", result.path.name)
        result.mail_error = f"{type(exc).__name__}: {exc}"
    else:
        result.mailed = True

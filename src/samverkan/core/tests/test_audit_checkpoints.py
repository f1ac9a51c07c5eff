"""Signed checkpoints of the audit chain's head: written outside the database, and the log must
still reach every one of them (audit_verify --checkpoints)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import smtplib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from samverkan.core import audit, audit_checkpoints
from samverkan.core.actor import Actor
from samverkan.core.models import AuditEvent, AuditHead

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.AUDIT_CHECKPOINT_EMAIL = ""
    return settings.AUDIT_CHECKPOINT_DIR


def _events(n: int) -> list[AuditEvent]:
    return [audit.record_read(actor=Actor.system(), code="test.thing", data={"n": i}) for i in range(n)]


def _files(folder):
    return sorted(p for p in folder.iterdir() if p.suffix == ".json")


# --- Canonical form and key derivation (independent oracles: the RFCs) -----------------------
def test_canonical_form_is_rfc8785_for_strings_and_integers():
    # RFC 8785 §3.2.3: keys sorted; §3.2.2.2: non-ASCII literal, control characters escaped.
    assert (
        audit_checkpoints.canonical_json({"b": 1, "a": "Åsa\n\u0001", "c": -7})
        == '{"a":"Åsa\\n\\u0001","b":1,"c":-7}'.encode()
    )


@pytest.mark.parametrize("value", [1.5, True, None, 2**53, {"x": 1}, [1]])
def test_canonical_form_refuses_values_where_it_would_differ_from_rfc8785(value):
    with pytest.raises(ValueError):
        audit_checkpoints.canonical_json({"a": value})


def test_hkdf_matches_rfc5869_test_case_1():
    okm = audit_checkpoints.hkdf_sha256(
        bytes.fromhex("0b" * 22),
        salt=bytes.fromhex("000102030405060708090a0b0c"),
        info=bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"),
        length=42,
    )
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


def _raw(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def test_the_signing_key_is_not_the_chain_key_and_follows_the_settings(settings):
    settings.AUDIT_CHECKPOINT_KEY = ""
    derived = _raw(audit_checkpoints.signing_key())
    assert derived != settings.AUDIT_CHAIN_KEY.encode()[:32]
    assert derived == _raw(audit_checkpoints.signing_key())  # the same key every time
    settings.AUDIT_CHECKPOINT_KEY = "a-separate-checkpoint-secret-of-some-length"
    assert _raw(audit_checkpoints.signing_key()) != derived


# --- Writing --------------------------------------------------------------------------------
def test_a_checkpoint_records_the_head_and_its_signature_verifies_independently(folder):
    events = _events(3)
    result = audit_checkpoints.write_checkpoint()
    assert result.path is not None and result.path.parent == folder and not result.problem
    written = json.loads(result.path.read_bytes())
    assert written["tree_size"] == 3
    assert written["head_hash"] == events[-1].hash
    assert written["log"] == "samverkan/audit"
    # Recompute the signature by hand from the documented rule, not with the module's helpers.
    body = {k: v for k, v in written.items() if k != "signature"}
    signed = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    # Only the public key, as printed by the command, is needed to check it.
    out = io.StringIO()
    call_command("audit_checkpoint", public_key=True, stdout=out)
    public = serialization.load_pem_public_key(out.getvalue().encode())
    public.verify(base64.b64decode(written["signature"]), signed)  # raises if it does not verify
    assert written["sig_alg"] == "ed25519"


def test_nothing_is_written_while_the_log_has_not_grown(folder):
    _events(1)
    first = audit_checkpoints.write_checkpoint()
    again = audit_checkpoints.write_checkpoint()
    assert first.path is not None and again.path is None
    assert len(_files(folder)) == 1
    _events(1)
    assert audit_checkpoints.write_checkpoint().path is not None
    assert len(_files(folder)) == 2
    assert audit_checkpoints.write_checkpoint(force=True).path is not None
    assert len(_files(folder)) == 3


def test_writing_never_replaces_an_existing_file(folder, monkeypatch):
    _events(1)
    first = audit_checkpoints.write_checkpoint()
    original = first.path.read_bytes()
    # Same instant again: the name is taken, so the second file gets a name of its own.
    monkeypatch.setattr(audit_checkpoints.timezone, "now", lambda: _timestamp(first.checkpoint.timestamp))
    second = audit_checkpoints.write_checkpoint(force=True)
    assert second.path != first.path
    assert first.path.read_bytes() == original
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp-")]


def _timestamp(text):
    import datetime as dt

    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def test_the_checkpoint_is_mailed_when_an_address_is_set(folder, settings):
    settings.AUDIT_CHECKPOINT_EMAIL = "revision@example.invalid"
    _events(2)
    result = audit_checkpoints.write_checkpoint()
    assert result.mailed
    (message,) = mail.outbox
    assert message.to == ["revision@example.invalid"]
    (name, content, _mimetype) = message.attachments[0]
    assert name == result.path.name
    assert (content if isinstance(content, bytes) else content.encode()) == result.path.read_bytes()


def test_a_mail_failure_is_logged_and_the_file_still_written(folder, settings, monkeypatch, caplog):
    settings.AUDIT_CHECKPOINT_EMAIL = "revision@example.invalid"

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    _events(1)
    result = audit_checkpoints.write_checkpoint()
    assert result.path is not None and result.path.exists()
    assert not result.mailed and "SMTPServerDisconnected" in result.mail_error
    assert "Could not e-mail audit checkpoint" in caplog.text


def test_the_command_writes_into_the_setting_directory_created_if_missing(folder):
    _events(2)
    assert not folder.exists()
    call_command("audit_checkpoint")
    (path,) = _files(folder)
    assert audit_checkpoints.load(path).tree_size == 2


def test_writing_reports_a_log_that_shrank_since_the_newest_checkpoint(folder):
    events = _events(3)
    call_command("audit_checkpoint")
    _truncate_to(events, 1)
    with pytest.raises(CommandError, match="disagrees"):
        call_command("audit_checkpoint")
    assert len(_files(folder)) == 2  # the new state is on record all the same


# --- Verifying ------------------------------------------------------------------------------
def _truncate_to(events, keep):
    """What someone with database access does: delete the newest rows, rewind the head."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE seq > %s", [keep])
        head_hash = events[keep - 1].hash if keep else audit.GENESIS
        cursor.execute("UPDATE core_audithead SET seq = %s, hash = %s", [keep, head_hash])


def test_an_intact_log_passes_with_its_checkpoints(folder, capsys):
    _events(2)
    call_command("audit_checkpoint")
    _events(3)
    call_command("audit_checkpoint")
    call_command("audit_verify", checkpoints=folder)
    assert "consistent with 2 checkpoints" in capsys.readouterr().out


def test_without_checkpoints_the_output_says_truncation_is_not_covered(capsys):
    _events(1)
    call_command("audit_verify")
    assert "without --checkpoints DIR a deleted tail" in capsys.readouterr().out


def test_deleting_the_newest_rows_and_rewinding_the_head_is_found(folder):
    events = _events(5)
    call_command("audit_checkpoint")
    _truncate_to(events, 3)
    assert audit.verify().ok  # the chain alone cannot see it
    with pytest.raises(CommandError, match="events #4 to #5 were deleted"):
        call_command("audit_verify", checkpoints=folder)


def test_emptying_the_log_is_found(folder):
    _events(3)
    call_command("audit_checkpoint")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table}")
        cursor.execute(f"DELETE FROM {AuditHead._meta.db_table}")
    assert audit.verify().ok
    with pytest.raises(CommandError, match="events #1 to #3 were deleted"):
        call_command("audit_verify", checkpoints=folder)


def test_a_rewritten_log_of_the_same_length_is_found(folder, settings):
    """Someone who also holds the chain key rebuilds the log with other content: the hash at the
    checkpoint's size no longer matches."""
    events = _events(3)
    call_command("audit_checkpoint")
    _truncate_to(events, 1)
    _events(2)  # the log is three events long again, with a different history
    assert audit.verify().ok
    with pytest.raises(CommandError, match="differs from checkpoint"):
        call_command("audit_verify", checkpoints=folder)


def test_truncation_then_regrowth_past_the_checkpoint_is_found(folder):
    events = _events(3)
    call_command("audit_checkpoint")
    _truncate_to(events, 2)
    _events(4)
    with pytest.raises(CommandError, match="#3: it differs from checkpoint"):
        call_command("audit_verify", checkpoints=folder)


def _rewrite(path, **changes):
    obj = json.loads(path.read_bytes())
    obj.update(changes)
    path.write_text(json.dumps(obj))


@pytest.mark.parametrize(
    "change",
    [
        {"tree_size": 2},  # "the log was only this long": a forged, smaller checkpoint
        {"head_hash": "0" * 64},
        {"timestamp": "2020-01-01T00:00:00.000000Z"},
        {"log": "samverkan/other"},
        {"signature": base64.b64encode(b"\0" * 32).decode()},
        {"signature": "not base64!"},
    ],
)
def test_an_altered_checkpoint_is_refused(folder, change):
    _events(3)
    call_command("audit_checkpoint")
    (path,) = _files(folder)
    _rewrite(path, **change)
    with pytest.raises(CommandError, match=f"(?s)cannot be trusted.*{re.escape(path.name)}"):
        call_command("audit_verify", checkpoints=folder)


def test_a_checkpoint_forged_without_the_key_is_refused(folder, settings):
    _events(3)
    settings.AUDIT_CHECKPOINT_KEY = "an attacker's own key"
    call_command("audit_checkpoint")
    settings.AUDIT_CHECKPOINT_KEY = ""
    with pytest.raises(CommandError, match="signed with another key"):
        call_command("audit_verify", checkpoints=folder)


def test_a_forged_checkpoint_with_our_key_id_but_a_guessed_key_is_refused(folder, settings):
    events = _events(3)
    call_command("audit_checkpoint")
    (path,) = _files(folder)
    obj = json.loads(path.read_bytes())
    obj.update(tree_size=1, head_hash=events[0].hash)
    body = {k: v for k, v in obj.items() if k != "signature"}
    # A key of the attacker's own, seeded with the chain key itself: still not the checkpoint key.
    guess = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(settings.AUDIT_CHAIN_KEY.encode()).digest())
    obj["signature"] = base64.b64encode(guess.sign(json.dumps(body, sort_keys=True).encode())).decode()
    path.write_text(json.dumps(obj))
    with pytest.raises(CommandError, match="does not verify"):
        call_command("audit_verify", checkpoints=folder)


def test_junk_in_the_folder_is_refused_not_ignored(folder):
    _events(1)
    call_command("audit_checkpoint")
    (folder / "zz.json").write_text("{not json")
    with pytest.raises(CommandError, match=r"zz\.json: not JSON"):
        call_command("audit_verify", checkpoints=folder)


def test_an_empty_or_missing_folder_is_an_error_not_a_pass(tmp_path):
    _events(1)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("audit_verify", checkpoints=tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="No checkpoints"):
        call_command("audit_verify", checkpoints=tmp_path / "empty")


def test_a_checkpoint_of_the_empty_log_passes_and_anchors_genesis(folder):
    call_command("audit_checkpoint")
    _events(2)
    call_command("audit_verify", checkpoints=folder)


def test_a_third_party_checks_the_checkpoints_with_the_public_key_alone(folder, tmp_path, settings):
    _events(2)
    call_command("audit_checkpoint")
    out = io.StringIO()
    call_command("audit_checkpoint", public_key=True, stdout=out)
    pem = tmp_path / "audit.pub"
    pem.write_text(out.getvalue())
    call_command("audit_verify", checkpoints=folder, public_key=pem, stdout=io.StringIO())
    # Another key pair's public key does not accept them.
    other = Ed25519PrivateKey.generate().public_key()
    pem.write_bytes(audit_checkpoints.public_key_pem(other).encode())
    with pytest.raises(CommandError, match="signed with another key"):
        call_command("audit_verify", checkpoints=folder, public_key=pem, stdout=io.StringIO())

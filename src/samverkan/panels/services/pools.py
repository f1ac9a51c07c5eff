"""Pools: storing one from a people.csv with its volunteers, and erasing it."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.panels import permissions as perms
from samverkan.panels.lottery.files import InputError, parse_pool
from samverkan.panels.lottery.messages import Message
from samverkan.panels.messages import isolate, render_input_error
from samverkan.panels.models import Pool, Volunteer
from samverkan.panels.services._common import _check_upload, pool_upload_limits


def pool_create(
    *,
    actor: Actor,
    owner_id: int,
    name: str,
    panel_size: int,
    data: bytes,
    filename: str,
    id_column: str | None = None,
    feature_columns: Sequence[str] = (),
    household_column: str = "",
) -> Pool:
    """Store a pool from a people.csv: the id, the named feature columns and the household column;
    every other column of the file is dropped unread. See :func:`pool_create_with_notes`."""
    return pool_create_with_notes(
        actor=actor,
        owner_id=owner_id,
        name=name,
        panel_size=panel_size,
        data=data,
        filename=filename,
        id_column=id_column,
        feature_columns=feature_columns,
        household_column=household_column,
    )[0]


def pool_create_with_notes(
    *,
    actor: Actor,
    owner_id: int,
    name: str,
    panel_size: int,
    data: bytes,
    filename: str,
    id_column: str | None = None,
    feature_columns: Sequence[str] = (),
    household_column: str = "",
) -> tuple[Pool, tuple[Message, ...]]:
    """:func:`pool_create`, with what the reader decided and the uploader must be told (lottery
    messages, ``panels.messages.render``): without ``id_column`` the id is the column named ``id``,
    and a file without one (the research data's respondents.csv) has its volunteers numbered 0..n-1
    in file order, which the notes say."""
    if not perms.can_create_pool(actor, owner_id):
        raise PermissionDenied
    if not name.strip():
        raise ValidationError({"name": [_("Give the pool a name.")]})
    if panel_size < 1:
        raise ValidationError({"panel_size": [_("The panel size must be at least 1.")]})
    _check_upload(data, pool_upload_limits(), "people")
    try:
        people, features = parse_pool(
            filename or "people.csv",
            data,
            id_column=id_column,
            feature_columns=feature_columns,
            household_columns=[household_column] if household_column else (),
        )
    except InputError as exc:
        raise ValidationError({"people": [render_input_error(exc)]}) from exc
    limit = settings.PANELS_MAX_POOL
    if len(people.people) > limit:
        raise ValidationError(
            {
                "people": [
                    _("The pool has %(n)s people; at most %(limit)s are allowed.")
                    % {"n": len(people.people), "limit": limit}
                ]
            }
        )
    if len(people.people) < panel_size:
        raise ValidationError(
            {
                "panel_size": [
                    _("The pool has %(n)s people, fewer than the panel size %(size)s.")
                    % {"n": len(people.people), "size": panel_size}
                ]
            }
        )
    too_long = next((p for p in people.people if len(p) > 200), None)
    if too_long is not None:
        raise ValidationError(
            {
                "people": [
                    _("%(file)s, line %(line)s: the id is longer than 200 characters.")
                    % {"file": isolate(people.path), "line": isolate(str(people.lines[too_long]))}
                ]
            }
        )
    with transaction.atomic(durable=True):
        pool = Pool.objects.create(
            owner_id=owner_id,
            name=name.strip(),
            panel_size=panel_size,
            features=list(features),
            has_households=bool(household_column),
            created_by=actor.user if actor.is_authenticated else None,
        )
        homes = people.households or {}
        Volunteer.objects.bulk_create(
            [
                Volunteer(
                    pool=pool,
                    position=i,
                    external_id=person,
                    features=people.features[person],
                    # Blank addresses are keyed "\x00<id>" by the reader; PostgreSQL stores no NUL.
                    household="" if homes.get(person, "").startswith("\x00") else homes.get(person, ""),
                )
                for i, person in enumerate(people.people)
            ],
            batch_size=1000,
        )
        audit.record(
            actor=actor,
            code="panels.pool.created",
            obj=pool,
            organisation_id=owner_id,
            data={
                "volunteers": len(people.people),
                "features": list(features),
                "households": bool(household_column),
                "ids_numbered": people.ids_numbered,
            },
        )
    return pool, people.notes


def pool_delete(*, actor: Actor, pool: Pool, confirm_name: str) -> None:
    """Erase a pool with its volunteers, quotas, runs and panels (personal data kept no longer than
    needed). The audit log keeps that it happened and the counts, never the volunteers."""
    if not perms.can_manage_pool(actor, pool):
        raise NotFound
    if confirm_name.strip() != pool.name:
        raise ValidationError({"confirm_name": [_("Type the pool's name exactly to confirm.")]})
    with transaction.atomic(durable=True):
        counts = {
            "volunteers": pool.volunteers.count(),
            "runs": pool.runs.count(),
            "name": pool.name,
        }
        audit.record(
            actor=actor, code="panels.pool.deleted", obj=pool, organisation_id=pool.owner_id, data=counts
        )
        pool.delete()

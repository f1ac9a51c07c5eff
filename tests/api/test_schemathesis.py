"""Property-based fuzzing of every API operation with schemathesis: no answer is ever a 5xx.

Runs against the WSGI application in-process, authenticated with a token of a fictional user who
administers a fictional organisation with agreements and an invitation, so requests reach the
services, not only the authentication. Path ids are folded onto the first few ids so that many
requests hit existing rows.

Run only this:  pytest -m api_fuzz
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import TestCase
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.api import api
from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.schemas import MAX_ID
from samverkan.accounts.services import api_token_create
from samverkan.accounts.tests.factories import MembershipFactory, member, with_authenticator
from samverkan.organisations.models import AgreementInvitation
from samverkan.organisations.tests.factories import AgreementFactory, OrganisationFactory
from samverkan.panels import services as panels
from samverkan.panels.tests.factories import even_quotas
from samverkan.panels.tests.factories import pool as panels_pool
from samverkan.resettlement import services as resettlement
from samverkan.resettlement.models import Case
from samverkan.resettlement.tests.factories import (
    CASES_CSV,
    OSTERSUND,
    RECEPTION_CSV,
    YEAR,
    municipality_org,
)
from samverkan.resettlement.tests.factories import agency as resettlement_agency
from samverkan.resettlement.tests.factories import officer as resettlement_officer

FOLD_IDS_ONTO = 8

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
app = get_wsgi_application()


_fuzz_token_id: list[int] = []  # the token the fuzzer authenticates with; it must not revoke it


def _fold(name: str, value: Any) -> Any:
    # Two out of three valid ids are folded onto 1..FOLD_IDS_ONTO, where the fixture's rows are.
    if not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID and value % 3):
        return value
    folded = (value % FOLD_IDS_ONTO) + 1
    if name == "token_id" and folded in _fuzz_token_id:
        folded += 1
    return folded


# Resettlement's text keys: two out of three valid ones are folded onto the fixture's packet,
# municipality and year, so that requests reach the services behind the look-up.
FOLD_KEYS_ONTO = {"reference": "K-1", "code": OSTERSUND, "year": YEAR}


def _fold_key(name: str, value: Any) -> Any:
    if name not in FOLD_KEYS_ONTO or not isinstance(value, str | int) or isinstance(value, bool):
        return value
    return FOLD_KEYS_ONTO[name] if len(str(value)) % 3 else value


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
    if not path_parameters:
        return path_parameters
    return {name: _fold_key(name, _fold(name, value)) for name, value in path_parameters.items()}


@schema.hook
def map_body(context: Any, body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    return {name: _fold(name, value) if name.endswith("_id") else value for name, value in body.items()}


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    # A real WSGI request closes the database connection when it ends, which would end the test's
    # transaction; Django's test client unhooks the same signal handlers while it runs.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_headers(db, _keep_test_connection) -> dict[str, str]:
    home, partner, stranger = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    user = member("administrator", home)
    MembershipFactory(user=user, organisation=partner, role="reader")
    member("coordinator", stranger)
    AgreementFactory(owner=home)
    AgreementFactory(owner=stranger)  # internal, not visible to the user
    open_one = AgreementFactory(owner=partner, visibility="public", open_for_joining=True)
    invited = AgreementFactory(owner=stranger)
    AgreementInvitation.objects.create(agreement=invited, organisation=home)
    AgreementInvitation.objects.create(agreement=open_one, organisation=stranger)
    verified = actor_for_user(with_authenticator(user), two_factor_verified=True)
    # A panel pool with quotas and a finished run, so the panels operations reach their services.
    pool = panels_pool(verified, home.pk)
    panels.pool_quotas_set(actor=verified, pool=pool, rows=even_quotas(), source="hand")
    with TestCase.captureOnCommitCallbacks(execute=True):
        panels.run_start(actor=verified, pool=pool, seed="1")
    # Reception numbers and cases placed by an approved run in a municipality whose coordinator the
    # user also is, and the placing agency's coordinator too, so the resettlement operations reach
    # their packets, reception, follow-up, cases and runs.
    placing = resettlement_officer()
    resettlement.reception_import(actor=placing, year=YEAR, data=RECEPTION_CSV, filename="m.csv")
    resettlement.case_import(actor=placing, year=YEAR, data=CASES_CSV, filename="c.csv")
    with TestCase.captureOnCommitCallbacks(execute=True):
        placement = resettlement.run_start(actor=placing, year=YEAR, time_limit=10)
    placement.refresh_from_db()
    resettlement.run_approve(actor=placing, run=placement)
    MembershipFactory(user=user, organisation=municipality_org(OSTERSUND), role="coordinator")
    MembershipFactory(user=user, organisation=resettlement_agency(), role="coordinator")  # runs, cases
    # K-1 (placed in Östersund) has arrived, so its follow-up can be recorded.
    Case.objects.filter(reference="K-1").update(expected_arrival=dt.date.today() - dt.timedelta(days=1))
    for n in range(3):
        api_token_create(actor=verified, name=f"spare {n}")
    token, raw = api_token_create(actor=verified, name="fuzz")
    _fuzz_token_id[:] = [token.pk]
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.api_fuzz
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_server_errors(case: schemathesis.Case, fuzz_headers: dict[str, str]) -> None:
    case.call_and_validate(app=app, headers=fuzz_headers, checks=[not_a_server_error])

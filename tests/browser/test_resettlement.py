"""The resettlement journey in the browser, in Swedish and in Arabic: the agency's coordinator
imports reception numbers and cases, runs a placement, moves one case by hand (past the warning),
and approves; the receiving municipality's coordinator reads the packet; another municipality's
coordinator gets 404."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from samverkan.accounts.tests.factories import member
from samverkan.core.models import AuditEvent
from samverkan.resettlement.models import Case, PlacementRun, RunStatus
from samverkan.resettlement.tests.factories import (
    CASES_CSV,
    GOTEBORG,
    KIRUNA,
    OSTERSUND,
    RECEPTION_CSV,
    YEAR,
    agency,
    municipality_org,
)
from tests.browser.support import confirmed_totp_device, log_in, snap
from tests.browser.support import t as translate
from tests.browser.test_accessibility import FAILING_IMPACTS, _format, run_axe

pytestmark = pytest.mark.browser


def _choose_by_name(main: Any, name: str, language: str = "sv") -> None:
    """Choose a municipality in the move list as a person does: focus the list and type the first
    letters of its name (the list shows names, each with what the municipality has left)."""
    select = main.get_by_label(translate("Move the case to", language))
    select.focus()
    select.press_sequentially(name[:4], delay=50)
    expect(select.locator("option:checked")).to_contain_text(name)


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_a_coordinator_places_overrides_and_approves_and_only_the_receiver_reads_the_packet(
    pages: Any, transactional_db: Any, language: str
) -> None:
    coordinator = member("coordinator", agency())
    receivers = {
        code: member("coordinator", municipality_org(code)) for code in (OSTERSUND, GOTEBORG, KIRUNA)
    }

    page = pages.new(language)
    log_in(page, coordinator, confirmed_totp_device(coordinator), language)
    main = page.get_by_role("main")
    page.goto(f"/resettlement/reception/{YEAR}/")
    main.get_by_label(translate("CSV file", language)).set_input_files(
        {"name": "municipalities.csv", "mimeType": "text/csv", "buffer": RECEPTION_CSV}
    )
    main.get_by_role("button", name=translate("Import", language)).click()
    expect(main.locator('[data-table="reception"] tbody tr')).to_have_count(3)

    page.goto(f"/resettlement/cases/{YEAR}/")
    main.get_by_label(translate("CSV file", language)).set_input_files(
        {"name": "cases.csv", "mimeType": "text/csv", "buffer": CASES_CSV}
    )
    main.get_by_role("button", name=translate("Import", language)).click()
    expect(main.locator('[data-table="cases"] tbody tr')).to_have_count(4)

    page.goto(f"/resettlement/?year={YEAR}")
    main.get_by_label(translate("Time limit (seconds)", language)).fill("10")
    main.get_by_role("button", name=translate("Run the placement", language)).click()
    expect(main.locator("[data-run-status]")).to_have_attribute("data-run-status", "proposed")
    expect(main.locator("dd[data-placed]")).to_have_attribute("data-placed", "4")
    expect(main.locator("dd[data-placed]")).to_have_attribute("data-total", "4")
    # The urgent family is among them, said by priority (only the priorities the run has).
    expect(main.locator("[data-priority]")).to_have_count(2)
    expect(main.locator('[data-priority="urgent"]')).to_have_attribute("data-placed", "1")
    expect(main.locator('[data-case="K-2"] [data-municipality]')).to_have_attribute(
        "data-municipality", GOTEBORG
    )
    snap(page, f"resettlement-run-{language}")
    failing = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, "axe: serious or critical violations on the run page:\n" + _format(failing)

    # K-2 is tied to Göteborg (relatives): moving it to Kiruna says so, and the coordinator confirms
    main.get_by_role("link", name="K-2", exact=True).click()
    expect(main.locator("[data-binding]")).to_be_visible()
    _choose_by_name(main, "Kiruna kommun", language)
    main.get_by_label(translate("Reason", language)).fill("Familjen önskar (fiktivt)")
    main.get_by_role("button", name=translate("Move", language), exact=True).click()
    expect(main.locator("[data-confirm-consequence]")).to_contain_text("Göteborgs kommun")  # the tie
    main.get_by_role("button", name=translate("Move the case anyway", language)).click()
    expect(main.locator('[data-case="K-2"] [data-municipality]')).to_have_attribute(
        "data-municipality", KIRUNA
    )
    expect(main.locator("[data-overridden]")).to_contain_text("K-2")

    main.get_by_role("button", name=translate("Approve the placement", language)).click()
    expect(main.locator("[data-confirm-consequence]")).to_be_visible()  # approval cannot be undone
    main.get_by_role("button", name=translate("Approve the placement", language)).click()
    expect(main.locator("[data-run-status]")).to_have_attribute("data-run-status", "approved")
    run = PlacementRun.objects.get()
    assert run.status == RunStatus.APPROVED
    assert Case.objects.get(reference="K-2").placed_in_id == KIRUNA

    # the receiving municipality reads the packet
    page.context.clear_cookies()
    receiver = receivers[KIRUNA]
    log_in(page, receiver, confirmed_totp_device(receiver), language)
    page.goto("/resettlement/packets/")
    main.get_by_role("link", name="K-2", exact=True).click()
    expect(main.locator('[data-packet="K-2"]')).to_be_visible()
    expect(main.locator('[data-table="family"] tbody tr')).to_have_count(2)
    expect(main.locator("[data-arrival]")).to_have_text("2027-04-01")
    snap(page, f"resettlement-packet-{language}")
    failing = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, "axe: serious or critical violations on the packet:\n" + _format(failing)
    assert AuditEvent.objects.filter(code="resettlement.packet.viewed", actor_user=receiver).exists()

    # another municipality gets 404
    page.context.clear_cookies()
    other = receivers[OSTERSUND]
    log_in(page, other, confirmed_totp_device(other), language)
    response = page.goto("/resettlement/packets/K-2/")
    assert response is not None and response.status == 404
    page.goto("/resettlement/packets/")
    expect(main.get_by_role("link", name="K-2", exact=True)).to_have_count(0)


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_a_municipality_reads_the_released_follow_up_figures_with_their_dates(
    pages: Any, transactional_db: Any, language: str, settings: Any
) -> None:
    from samverkan.resettlement import selectors, services
    from samverkan.resettlement.models import Observation, Person
    from samverkan.resettlement.tests.factories import officer

    settings.RESETTLEMENT_MIN_CELL = 5
    settings.RESETTLEMENT_MIN_MUNICIPALITIES = 3
    version = selectors.taxonomy_current()
    receivers = {
        code: member("coordinator", municipality_org(code)) for code in (OSTERSUND, GOTEBORG, KIRUNA)
    }

    def follow_up(code: str, reference: str, profiles: list[list[str]]) -> None:
        case = Case.objects.create(reference=reference, year=YEAR, placed_in_id=code)
        for position, needs in enumerate(profiles, start=1):
            person = Person.objects.create(case=case, position=position, age=30, sex="F", needs=needs)
            Observation.objects.create(person=person, needs=needs, taxonomy_version=version)

    page = pages.new(language)
    receiver = receivers[OSTERSUND]
    log_in(page, receiver, confirmed_totp_device(receiver), language)
    main = page.get_by_role("main")
    page.goto("/resettlement/followup/")
    expect(main.locator('[data-release="none"]')).to_be_visible()

    for code in (OSTERSUND, GOTEBORG, KIRUNA):
        follow_up(code, f"D-{code}", [["SM"]] * 5 + [["WR"]] * 5 + [[]] * 5)
    first = services.dashboard_release(actor=officer())
    follow_up(GOTEBORG, "D-one-more", [["SM", "TR"]])  # one more person: the year is held
    second = services.dashboard_release(actor=officer())
    assert first is not None and second is not None
    page.goto("/resettlement/followup/")
    expect(main.locator(f'[data-release="{second.number}"]')).to_be_visible()
    expect(main.locator(f'[data-year="{YEAR}"][data-code="SM"] [data-flagged]')).to_contain_text("15")
    expect(main.locator(f'[data-year="{YEAR}"][data-code="*"][data-as-of="{first.number}"]')).to_be_visible()
    expect(main.locator("[data-as-of-date]")).to_contain_text(f"{first.created_at:%Y-%m-%d}")
    snap(page, f"resettlement-dashboard-{language}")
    failing = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, "axe: serious or critical violations on the dashboard:\n" + _format(failing)


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_a_coordinator_reads_why_a_case_was_not_placed_and_moves_a_case_by_name(
    pages: Any, transactional_db: Any, language: str
) -> None:
    from django.utils import translation

    from samverkan.resettlement import explain, selectors, services
    from samverkan.resettlement.optimizer import Reason
    from samverkan.resettlement.tests.factories import officer

    coordinator = member("coordinator", agency())
    for code in (OSTERSUND, GOTEBORG, KIRUNA):
        municipality_org(code)  # the register's rows, which the flush after each browser test removes
    actor = officer()
    services.reception_import(actor=actor, year=YEAR, data=RECEPTION_CSV, filename="m.csv")
    # K-5 needs a service no municipality has places for: it cannot be placed
    services.case_import(
        actor=actor, year=YEAR, data=CASES_CSV + b"K-5,33,F,DS,ar,,,normal,,\n", filename="c.csv"
    )
    run = services.run_start(actor=actor, year=YEAR, time_limit=10)  # solved at once in the tests
    with translation.override(language):
        why = explain.reason_text(
            Reason("no_service_places", {"need": "DS"}), selectors.names_for(needs={"DS"})
        )

    page = pages.new(language)
    log_in(page, coordinator, confirmed_totp_device(coordinator), language)
    main = page.get_by_role("main")
    page.goto(f"/resettlement/runs/{run.pk}/")
    reasons = main.locator('[data-unplaced] [data-case="K-5"] [data-reasons]')
    expect(reasons).to_have_text(why)
    for english in ("need_slots", "service", "municipality", "slots"):
        assert english not in reasons.inner_text()
    main.locator("[data-unplaced]").get_by_role("link", name="K-5", exact=True).click()
    expect(main.locator("[data-why]")).to_have_text(translate("Why the case could not be placed", language))
    expect(main.locator("[data-reasons]")).to_have_text(why)
    snap(page, f"resettlement-unplaced-{language}")
    failing = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, "axe: serious or critical violations on the case page:\n" + _format(failing)

    # K-1 (three persons, one with a chronic illness) to Kiruna, which has no places for it
    page.goto(f"/resettlement/runs/{run.pk}/cases/K-1/")
    _choose_by_name(main, "Kiruna kommun", language)
    main.get_by_label(translate("Reason", language)).fill("Familjen önskar (fiktivt)")
    main.get_by_role("button", name=translate("Move", language), exact=True).click()
    expect(main.locator("[data-confirm-consequence]")).to_contain_text(
        translate("The move breaks:", language)
    )
    assert run.proposals.get(case__reference="K-1").municipality_id != KIRUNA  # not before confirming
    main.get_by_role("button", name=translate("Move the case anyway", language)).click()
    expect(main.locator('[data-case="K-1"] [data-municipality]')).to_have_attribute(
        "data-municipality", KIRUNA
    )
    assert run.proposals.get(case__reference="K-1").override_warnings

"""axe-core on the public pages, in Swedish and in Arabic: no serious or critical violations.

axe is loaded from static/vendor/axe.min.js (built from the npm package axe-core) as a
same-origin script, which the Content-Security-Policy allows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from samverkan.core.actor import Actor
from samverkan.meetingplace import services as meeting_services
from samverkan.meetingplace.tests import factories as meeting_factories
from samverkan.organisations.models import AgreementParty
from samverkan.organisations.tests.factories import AgreementFactory, OrganisationFactory
from samverkan.panels import services as panel_services
from samverkan.panels.tests import factories as panel_factories
from samverkan.statistics import demo as statistics_demo
from samverkan.stories import services as story_services
from samverkan.stories.tests import factories as story_factories

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/about/",
    "/partners/",
    "/agreements/",
    "/agreements/{agreement}/",
    "/organisations/",
    "/organisations/{organisation}/",
    "/accounts/login/",
    "/statistics/",
    "/statistics/asylum-seekers/",
    "/statistics/forecasts/",
    "/statistics/datasets/asylum-seekers/",
    "/panels/reports/{panel_report}/",
    "/resettlement/needs/",
    "/meetingplace/",
    "/meetingplace/sessions/{meeting_session}/",
    "/meetingplace/sessions/{meeting_session}/poster/",
    "/meetingplace/sessions/{cancelled_session}/",
    "/meetingplace/facts/",
    "/stories/",
    "/stories/{story}/",
    "/stories/p/{story_link}/",
]
FAILING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def public_data(transactional_db: Any) -> dict[str, Any]:
    agency = OrganisationFactory(name="Fiktiva myndigheten", slug="fiktiva-myndigheten", kind="agency")
    ngo = OrganisationFactory(name="Fiktiva föreningen Gemenskap", slug="fiktiva-foreningen")
    agreement = AgreementFactory(
        owner=agency,
        title="Fiktivt IOP om språkcaféer",
        visibility="public",
        scope="Språkcaféer i tre fiktiva stadsdelar.",
        end_date=None,
    )
    AgreementParty.objects.create(agreement=agreement, organisation=ngo, joined_on=dt.date(2026, 2, 1))
    AgreementFactory(
        owner=ngo, kind="letter_of_intent", title="Fiktiv avsiktsförklaring", visibility="public"
    )
    statistics_demo.load_demo()  # the real published figures the statistics pages show
    return {
        "agreement": agreement.pk,
        "organisation": agency.slug,
        "panel_report": _published_panel(agency),
        "meeting_session": meeting_factories.session(meeting_factories.activity(ngo)).pk,
        "cancelled_session": _cancelled_session(ngo),
        **_published_story(agency),
    }


def _cancelled_session(organiser: Any) -> int:
    cancelled = meeting_factories.session(meeting_factories.activity(organiser), days=3)
    meeting_services.session_cancel(
        actor=Actor.system(), session=cancelled, reason="Lokalen är stängd (fiktivt)."
    )
    return cancelled.pk


def _published_story(publisher: Any) -> dict[str, str]:
    """A fictional story in Swedish and Arabic, published, and a live personal link to it."""
    the_story = story_factories.story(
        org=publisher,
        sv={"title": "En kall vinter", "body": story_factories.TEXT_SV + "\n\n> Ett citat.\n\n- ett\n- två"},
        ar={"title": "شتاء بارد", "body": "وصلت إلى السويد في شتاء بارد."},
    )
    issued = story_services.link_issue(actor=Actor.system(), story=the_story, language="ar")
    story_services.person_decide(actor=Actor.anonymous(), link=issued.link, base_number=1, approve=True)
    published = story_services.story_publish(actor=Actor.system(), story=the_story, base_number=1)
    return {"story": published.slug, "story_link": issued.token}


def _published_panel(owner: Any) -> int:
    """A fictional pool, its selection (run at once: the test task backend is immediate) and report."""
    actor = Actor.system()
    pool = panel_factories.pool(actor, owner.pk)
    panel_services.pool_quotas_set(actor=actor, pool=pool, rows=panel_factories.even_quotas(), source="hand")
    run = panel_services.run_start(actor=actor, pool=pool, seed="1")
    run.refresh_from_db()
    panel_services.run_publish(actor=actor, run=run)
    return run.pk


def _format(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


@pytest.mark.parametrize("language", ["sv", "ar"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_serious_accessibility_violations(
    pages: Any, public_data: dict[str, Any], path: str, language: str
) -> None:
    page = pages.new(language)
    url = path.format(**public_data)
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url} answered {response and response.status}"
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert page.locator("h1").count() == 1, f"{url} must have exactly one h1"
    assert page.locator("main#main-content").count() == 1
    # Charts are drawn after load: scan them too, once every one has rendered.
    for chart in page.locator("[data-chart]").all():
        chart.locator("svg").first.wait_for()

    failing = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe: serious or critical violations on {url} ({language}):\n" + _format(failing)


def run_axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    return page.evaluate("""async () => {
        const results = await axe.run(document, {resultTypes: ['violations']});
        return results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), failureSummary: n.failureSummary})),
        }));
    }""")


def test_axe_check_reports_a_planted_violation(pages: Any) -> None:
    """Guards the check itself: axe must load under the CSP and find a known problem."""
    page = pages.new("sv")
    page.goto("/about/")
    page.evaluate("""() => {
        const img = document.createElement('img');
        img.src = '/static/vendor/images/favicon.ico';
        document.querySelector('main').append(img);
    }""")
    found = {v["id"]: v["impact"] for v in run_axe(page)}
    assert found.get("image-alt") == "critical", found

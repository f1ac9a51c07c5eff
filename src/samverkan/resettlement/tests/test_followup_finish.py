"""Follow-up that a municipal coordinator can fill in (issue #18, points 2, 5 and 11): needs grouped
by category and only those that can apply at the person's age, the agency's flags ticked for
confirmation, an explicit "nothing observed" instead of an empty save, nothing before the arrival,
the record on the packet, a breadcrumb that leads only where the reader may go, a dashboard that
says why it shows nothing, and the taxonomy whole in Arabic."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps as django_apps
from django.utils import timezone, translation

from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.errors import ValidationError
from samverkan.resettlement import selectors, services
from samverkan.resettlement.models import Case, NeedDefinition, Observation, Person, TaxonomyVersion
from samverkan.resettlement.taxonomy import SHIPPED_NOTE, shipped_entries
from samverkan.resettlement.tests.factories import (
    CASES_CSV,
    GOTEBORG,
    KIRUNA,
    OSTERSUND,
    RECEPTION_CSV,
    YEAR,
    municipal,
    municipal_user,
    municipality_org,
    officer,
    officer_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FORM = "/resettlement/packets/K-1/followup/"
PACKET = "/resettlement/packets/K-1/"


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def placed(django_capture_on_commit_callbacks):
    """K-1 (41 M; 38 F flagged SM-CI; 9 F) placed and arrived a month ago; its municipality."""
    actor = officer()
    services.reception_import(actor=actor, year=YEAR, data=RECEPTION_CSV, filename="m.csv")
    services.case_import(actor=actor, year=YEAR, data=CASES_CSV, filename="c.csv")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(actor=actor, year=YEAR, time_limit=10)
    run.refresh_from_db()
    services.run_approve(actor=actor, run=run)
    arrive("K-1", days_ago=30)
    return Case.objects.get(reference="K-1").placed_in_id


def arrive(reference: str, days_ago: int) -> None:
    arrival = timezone.localdate() - dt.timedelta(days=days_ago)
    Case.objects.filter(reference=reference).update(expected_arrival=arrival)


def boxes(body: str, person: int) -> set[str]:
    """The need codes the form offers for ``person`` (checkbox values)."""
    return set(re.findall(rf'name="person_{person}" id="p{person}-[^"]+" value="([A-Z-]+)"', body))


def checked(body: str, person: int) -> set[str]:
    return set(re.findall(rf'name="person_{person}" id="p{person}-[^"]+" value="([^"]+)"[^>]*checked', body))


# --- Point 2: a form for the person filling it in -------------------------------------------------
def test_the_form_offers_only_the_codes_that_can_apply_at_each_persons_age_grouped_by_need(client, placed):
    verified_login(client, municipal_user(placed))
    body = client.get(FORM).content.decode()
    adult, mother, child = boxes(body, 1), boxes(body, 2), boxes(body, 3)
    # children's codes only for the child, adults' codes only for the adults
    assert {"CR", "CR-SE", "SC-UC"} <= child and not child & {"SP", "SP-PT", "ER", "ER-NF", "LP-AF"}
    assert {"SP-PT", "ER-NF", "LP-AF"} <= adult and not adult & {"CR", "CR-SE", "SC", "SC-UC"}
    assert mother == adult
    # grouped: one collapsed group per need (with a legend), open where something is ticked
    groups = re.findall(r'<details class="govuk-details[^"]*" data-group="([A-Z]+)"( open)?', body)
    assert [g for g, _ in groups].count("SM") == 3 and [g for g, _ in groups].count("CR") == 1
    assert ("SM", " open") in groups  # the mother's flagged SM-CI
    assert body.count('<legend class="govuk-fieldset__legend govuk-visually-hidden">') == len(groups)
    # the agency's flag is ticked for confirmation, and said to be the agency's
    assert checked(body, 2) == {"SM-CI"} and checked(body, 1) == set() and checked(body, 3) == set()
    assert "Flagged by the agency before arrival:" in body and "flagged by the agency" in body
    # every person has the explicit choice, ticked for nobody yet
    assert all(f'id="p{n}-none" value="none"' in body for n in (1, 2, 3))


def test_an_empty_answer_is_refused_naming_the_person_and_nothing_observed_is_saved_as_such(client, placed):
    verified_login(client, municipal_user(placed))
    response = client.post(FORM, {"person_1": ["TR"], "person_2": ["SM-CI"]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Person 3 (9 years): tick the needs you observed, or “No special need observed”." in body
    assert 'href="#person_3"' in body and 'id="person_3-error"' in body
    assert not Observation.objects.exists()
    assert checked(body, 1) == {"TR"}  # what was ticked is kept
    # needs and "nothing observed" together: refused too
    response = client.post(FORM, {"person_1": ["TR", "none"], "person_2": ["SM-CI"], "person_3": ["none"]})
    assert "Person 1 (41 years): you ticked needs and “No special need observed”" in response.content.decode()
    assert not Observation.objects.exists()
    response = client.post(FORM, {"person_1": ["TR"], "person_2": ["SM-CI"], "person_3": ["none"]})
    assert response.status_code == 302 and response["Location"] == PACKET
    saved = dict(Observation.objects.values_list("person__position", "needs"))
    assert saved == {1: ["TR"], 2: ["SM-CI"], 3: []}
    # shown again: what was recorded, "nothing observed" included
    body = client.get(FORM).content.decode()
    assert checked(body, 1) == {"TR"} and checked(body, 3) == {"none"}


def test_the_service_refuses_a_person_without_an_answer_and_a_code_for_another_age(placed):
    case = Case.objects.get(reference="K-1")
    actor = municipal(placed)
    with pytest.raises(ValidationError) as exc:
        services.observation_record(actor=actor, case=case, observed={1: ["TR"], 2: [], 3: []})
    assert set(exc.value.errors) == {"person_2", "person_3"}
    with pytest.raises(ValidationError) as exc:
        services.observation_record(
            actor=actor, case=case, observed={1: ["CR-SE"], 2: ["SM-CI"], 3: ["SP-PT"]}
        )
    assert exc.value.errors == {
        "person_1": ["Person 1 (41 years): CR-SE is for children only."],
        "person_3": ["Person 3 (9 years): SP-PT is for adults only."],
    }
    # a code the agency flagged is kept even when it does not fit the age (the data may be wrong)
    Person.objects.filter(case=case, position=1).update(needs=["CR"])
    assert (
        services.observation_record(actor=actor, case=case, observed={1: ["CR"]}, nothing_observed=[2, 3])
        == 3
    )
    assert not Observation.objects.filter(person__position=2).get().needs


def test_follow_up_is_refused_before_the_arrival_with_the_date(client, placed):
    arrive("K-1", days_ago=-10)
    arrival = Case.objects.get(reference="K-1").expected_arrival
    case = Case.objects.get(reference="K-1")
    with pytest.raises(ValidationError) as exc:
        services.observation_record(
            actor=municipal(placed), case=case, observed={}, nothing_observed=[1, 2, 3]
        )
    assert (
        f"from the day the family arrives, \u2068{arrival:%Y-%m-%d}\u2069." in exc.value.errors["__all__"][0]
    )
    verified_login(client, municipal_user(placed))
    body = client.get(FORM).content.decode()
    assert f'data-followup-opens="{arrival:%Y-%m-%d}"' in body and 'name="person_1"' not in body
    response = client.post(FORM, {"person_1": ["none"], "person_2": ["none"], "person_3": ["none"]})
    assert response.status_code == 200 and "from the day the family arrives" in response.content.decode()
    assert not Observation.objects.exists()
    # the packet says from when, and offers no link that would only say no
    packet = client.get(PACKET).content.decode()
    assert f'data-followup-opens="{arrival:%Y-%m-%d}"' in packet and "data-followup-link" not in packet
    arrive("K-1", days_ago=0)  # the day of the arrival: open
    assert "data-followup-link" in client.get(PACKET).content.decode()
    assert 'name="person_1"' in client.get(FORM).content.decode()


def test_the_list_of_packets_says_which_families_await_follow_up(client, placed):
    arrive("K-3", days_ago=-20)  # K-3 arrives later (it is placed where K-1 is)
    K3 = Case.objects.get(reference="K-3")
    assert K3.placed_in_id == placed
    verified_login(client, municipal_user(placed))

    def status(reference: str) -> str:
        body = client.get("/resettlement/packets/").content.decode()
        row = re.search(rf'data-case="{reference}">(.*?)</tr>', body, re.S)
        assert row is not None
        found = re.search(r"data-followup-status>(.*?)</td>", row.group(1), re.S)
        assert found is not None
        return found.group(1)

    assert f'href="{FORM}"' in status("K-1") and "To record" in status("K-1")
    assert f"From <bdi>{K3.expected_arrival:%Y-%m-%d}</bdi>" in status("K-3")
    client.post(FORM, {"person_1": ["none"], "person_2": ["SM-CI"], "person_3": ["none"]})
    assert "Follow-up recorded" in status("K-1")


def test_the_packet_shows_what_was_recorded_by_whom_and_when_to_the_municipality_only(client, placed):
    user = municipal_user(placed)
    user.full_name = "Kim Kommunsson (fiktiv)"
    user.save(update_fields=["full_name"])
    verified_login(client, user)
    before = client.get(PACKET).content.decode()
    assert before.count("Not recorded yet") == 3
    client.post(FORM, {"person_1": ["TR"], "person_2": ["SM-CI", "SM-MI"], "person_3": ["none"]})
    body = client.get(PACKET).content.decode()
    rows = dict(re.findall(r'data-followup-person="(\d)">(.*?)</tr>', body, re.S))
    assert "TR" in rows["1"] and "Torture" in rows["1"]
    assert "SM-CI" in rows["2"] and "SM-MI" in rows["2"] and "Mental illness" in rows["2"]
    assert "No special need observed" in rows["3"]
    local = timezone.localtime(Observation.objects.get(person__position=1).recorded_at)
    assert all("Kim Kommunsson (fiktiv)" in row for row in rows.values())
    assert all(f"{local:%Y-%m-%d}" in row for row in rows.values())
    # the agency reads the packet, but follow-up only in aggregate (the dashboard)
    verified_login(client, officer_user())
    agency = client.get(PACKET).content.decode()
    assert 'data-packet="K-1"' in agency and 'data-table="followup"' not in agency
    assert "Kim Kommunsson" not in agency and "Mental illness" not in agency


# --- Point 5 (part): no breadcrumb that answers 404 ------------------------------------------------
class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.in_main = False
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.in_main = True
        href = dict(attrs).get("href")
        if self.in_main and tag == "a" and href and not href.startswith("#"):
            self.links.append(href)


def links_in_main(body: str, page: str) -> list[str]:
    parser = _Links()
    parser.feed(body)
    return [page + link if link.startswith("?") else link for link in parser.links]


@pytest.mark.parametrize("reader", ["agency", "municipality"])
def test_every_link_on_the_packet_and_follow_up_pages_opens_for_their_reader(client, placed, reader):
    user = officer_user() if reader == "agency" else municipal_user(placed)
    verified_login(client, user)
    pages = [PACKET] + ([FORM] if reader == "municipality" else [])
    for page in pages:
        links = links_in_main(client.get(page).content.decode(), page)
        assert links, page
        for link in links:
            assert client.get(link).status_code == 200, (reader, page, link)
    body = client.get(PACKET).content.decode()
    assert ('href="/resettlement/packets/"' in body) is (reader == "municipality")
    assert ("/resettlement/runs/" in body) is (reader == "agency")


# --- Point 2: the dashboard says why it shows nothing ---------------------------------------------
def _followed_up(code: str, reference: str, n: int) -> None:
    municipality_org(code)
    version = selectors.taxonomy_current()
    case = Case.objects.create(reference=reference, year=YEAR, placed_in_id=code)
    for position in range(1, n + 1):
        person = Person.objects.create(case=case, position=position, age=30, sex="F", needs=[])
        Observation.objects.create(person=person, needs=[], taxonomy_version=version)


@pytest.mark.parametrize("language", ["en", "sv", "ar"])
def test_the_dashboard_says_fewer_than_the_threshold_have_been_recorded_in_the_pages_language(
    client, settings, language
):
    settings.RESETTLEMENT_MIN_CELL = 5
    settings.RESETTLEMENT_MIN_MUNICIPALITIES = 3
    settings.RESETTLEMENT_DASHBOARD_INTERVAL = 7 * 24 * 3600
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    verified_login(client, municipal_user(OSTERSUND))
    body = client.get("/resettlement/followup/").content.decode()
    with translation.override(language):
        first_due = translation.gettext(
            "The first release is due on <bdi>%(date)s</bdi>. It counts the follow-up recorded until then."
        )
    assert 'data-release="none"' in body
    assert first_due.split("%(date)s")[0] in body
    _followed_up(OSTERSUND, "S-1", 3)  # three persons followed up: fewer than 5
    assert services.dashboard_release(actor=officer()) is not None
    body = client.get("/resettlement/followup/").content.decode()
    suppressed = re.search(r"<p class=\"govuk-body\" data-suppressed>(.*?)</p>", body, re.S)
    assert suppressed is not None, "the page must say why nothing is shown"
    with translation.override(language):
        expected = translation.gettext(
            "Nothing can be shown yet: fewer than <bdi>%(n)s</bdi> persons have been followed up so far "
            "in each year besides any one municipality's own, or fewer than <bdi>%(m)s</bdi> "
            "municipalities have reported."
        ) % {"n": 5, "m": 3}
    assert suppressed.group(1) == expected
    if language != "en":
        assert "fewer than" not in suppressed.group(1)
    assert "No follow-up has been recorded yet" not in body
    # the agency's officers get the same explanation without the municipalities' part
    verified_login(client, officer_user())
    body = client.get("/resettlement/followup/").content.decode()
    assert "data-suppressed" in body and "<bdi>5</bdi>" in body and "<bdi>3</bdi>" not in body


def test_the_dashboard_still_shows_the_table_when_a_year_passes(client, settings):
    settings.RESETTLEMENT_MIN_CELL = 5
    settings.RESETTLEMENT_MIN_MUNICIPALITIES = 1
    for code in (OSTERSUND, GOTEBORG, KIRUNA):
        _followed_up(code, f"T-{code}", 6)
    services.dashboard_release(actor=officer())
    verified_login(client, municipal_user(OSTERSUND))
    body = client.get("/resettlement/followup/").content.decode()
    assert 'data-table="prevalence"' in body and "data-suppressed" not in body
    assert f'data-year="{YEAR}" data-code="*"' in body


# --- Point 11 (part): the taxonomy in Arabic ------------------------------------------------------
def test_every_shipped_need_has_an_arabic_name_and_definition_and_who_it_applies_to():
    entries = shipped_entries()
    assert len(entries) == 86
    for e in entries:
        assert e["label_ar"] and e["definition_ar"], e["code"]
        assert re.search("[\u0600-\u06ff]", str(e["label_ar"])), e["code"]
        code = str(e["code"])
        expected = (
            "child"
            if code.split("-")[0] in ("CR", "SC")
            else "adult"
            if code.split("-")[0] in ("SP", "ER") or code == "LP-AF"
            else ""
        )
        assert e["applies_to"] == expected, code
    # and the migrations loaded them into version 1
    loaded = {e.code: e for e in TaxonomyVersion.objects.get(number=1).entries.all()}
    assert all(loaded[str(e["code"])].label_ar == e["label_ar"] for e in entries)
    assert all(loaded[str(e["code"])].definition_ar == e["definition_ar"] for e in entries)
    assert loaded["CR-SE"].applies_to == "child" and loaded["SP-PT"].applies_to == "adult"


def test_the_migration_translates_only_the_shipped_wording_of_later_versions():
    from importlib import import_module

    migration = import_module("samverkan.resettlement.migrations.0004_need_arabic")
    editor = officer("coordinator")
    sm = selectors.entries_of(selectors.taxonomy_current())["SM"]
    services.taxonomy_update(
        actor=editor,
        code="SM",
        label_sv=sm.label_sv,
        label_en=sm.label_en,
        definition_sv=sm.definition_sv,
        definition_en="A changed definition.",
        services=sm.services,
        note="test",
    )
    services.taxonomy_add(
        actor=editor,
        parent="CR",
        code="CR-XX",
        label_sv="Testkod",
        label_en="Test code",
        definition_sv="Test.",
        definition_en="Test.",
        services=[],
        note="test",
    )
    NeedDefinition.objects.update(label_ar="", definition_ar="", applies_to="")  # as before 0004
    migration.load(django_apps, None)
    version = selectors.entries_of(selectors.taxonomy_current())
    assert version["SM"].label_ar == "حالة طبية خطيرة" and version["SM"].definition_ar == ""
    assert version["DS"].definition_ar.startswith("ضعف")
    assert version["CR-XX"].applies_to == "child" and version["CR-XX"].label_ar == ""


def test_the_taxonomy_page_speaks_the_pages_language_with_fallback_marked(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    body = client.get("/resettlement/needs/").content.decode()
    assert '<strong lang="ar">حالة طبية خطيرة</strong>' in body
    assert "مرض أو حالة صحية خطيرة تستدعي علاجاً طبياً أو متابعة." in body
    assert "Serious medical condition" not in body and "Allvarligt medicinskt tillstånd" not in body
    with translation.override("ar"):
        assert translation.gettext(SHIPPED_NOTE) != SHIPPED_NOTE
        assert f"<bdi data-note>{translation.gettext(SHIPPED_NOTE)}</bdi>" in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    body = client.get("/resettlement/needs/").content.decode()
    assert SHIPPED_NOTE not in body  # the version note in Swedish, not English
    with translation.override("sv"):
        assert f"<bdi data-note>{translation.gettext(SHIPPED_NOTE)}</bdi>" in body
    assert 'data-applies-to="child"' in body


def test_the_editor_has_arabic_fields_and_an_empty_one_falls_back_to_swedish(client, settings):
    verified_login(client, officer_user("coordinator"))
    body = client.get("/resettlement/needs/ER/edit/").content.decode()
    assert 'name="label_ar"' in body and 'name="definition_ar"' in body and "شخص مسنّ معرّض للخطر" in body
    er = selectors.entries_of(selectors.taxonomy_current())["ER"]
    form = {
        "label_sv": er.label_sv,
        "label_en": er.label_en,
        "label_ar": "اسم عربي جديد",
        "definition_sv": er.definition_sv,
        "definition_en": er.definition_en,
        "definition_ar": "",
        "services": er.services,
        "note": "Arabic name changed",
        "base_version": 1,
    }
    assert client.post("/resettlement/needs/ER/edit/", form).status_code == 302
    new = selectors.entries_of(selectors.taxonomy_current())["ER"]
    assert (new.label_ar, new.definition_ar) == ("اسم عربي جديد", "")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    body = client.get("/resettlement/needs/").content.decode()
    assert '<strong lang="ar">اسم عربي جديد</strong>' in body
    assert f'<span lang="sv">{er.definition_sv}</span>' in body  # empty Arabic: Swedish, marked so


def test_a_sub_code_applies_to_whom_its_need_applies():
    services.taxonomy_add(
        actor=officer("coordinator"),
        parent="SP",
        code="SP-XX",
        label_sv="Testkod",
        label_en="Test code",
        label_ar="رمز تجريبي",
        definition_sv="Test.",
        definition_en="Test.",
        services=[],
        note="test",
    )
    entry = selectors.entries_of(selectors.taxonomy_current())["SP-XX"]
    assert entry.applies_to == "adult" and entry.label_ar == "رمز تجريبي"


# --- The demo has follow-up -------------------------------------------------------------------------
def test_the_demo_has_arrived_families_followed_up_and_some_left_for_the_demo_coordinator(client, settings):
    from samverkan.accounts.models import User
    from samverkan.organisations import demo as organisations_demo
    from samverkan.resettlement import demo

    organisations_demo.load_demo()
    demo.load_demo()
    demo.load_demo()  # idempotent
    year = demo.followup_year()
    arrived = Case.objects.filter(reference__startswith=demo.ARRIVED_PREFIX)
    assert arrived.count() == sum(len(f) for f in demo.ARRIVED.values())
    assert all(c.is_fictional and c.placed_in_id and c.year == year for c in arrived)
    assert all(c.expected_arrival < dt.date.today() for c in arrived)
    release = services.dashboard_release(actor=officer())
    assert release is not None and release.published[str(year)]["municipalities"] == 4
    coordinator = User.objects.get(email=demo.DEMO_COORDINATOR)
    verified_login(client, coordinator)
    body = client.get("/resettlement/followup/").content.decode()
    assert f'data-year="{year}" data-code="*"' in body
    waiting = arrived.filter(placed_in_id="2380", persons__observation__isnull=True).distinct()
    assert waiting.count() == 2
    case = waiting.first()
    assert case is not None
    assert (
        'name="person_1"' in client.get(f"/resettlement/packets/{case.reference}/followup/").content.decode()
    )
    assert client.get(f"/resettlement/packets/{case.reference}/").status_code == 200
    verified_login(client, officer_user())
    assert client.get(f"/resettlement/runs/{case.approved_run_id}/").status_code == 200

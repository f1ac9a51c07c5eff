"""The placement pages for the people who use them (issue #18, points 3, 4 and 12): why a case
could not be placed, worded in the page's language with need and municipality names (also for
runs that stored the optimizer's English); the run page in plain words with the solver's numbers
tucked away; moving a case by choosing a municipality by name, seeing what it has left and what
the move would break, and confirming only then; case rows that open the case and name its needs;
and the placement tool's wording in Swedish and Arabic."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase
from django.utils import translation

from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.tests.worlds import module_data
from samverkan.resettlement import explain, selectors, services
from samverkan.resettlement.cli import main as cli_main
from samverkan.resettlement.models import Case, NeedDefinition, PlacementRun, Proposal, RunStatus
from samverkan.resettlement.optimizer import Reason
from samverkan.resettlement.tests.factories import (
    CASES_CSV,
    GOTEBORG,
    KIRUNA,
    OSTERSUND,
    RECEPTION_CSV,
    YEAR,
    officer,
    officer_user,
)

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "resettlement"
# K-5 needs a service no municipality has places for (DS): it cannot be placed anywhere.
UNPLACEABLE = b"K-5,33,F,DS,ar,,,normal,,\n"
# What the optimizer wrote into proposals before its reasons were codes.
LEGACY_REASONS = [
    "need_slots:WR: any municipality has no WR service slots for this case",
    f"capacity_persons: used up by other cases in {OSTERSUND}, {GOTEBORG}",
    f"need_slots:SM: too little for this case in {KIRUNA}",
    f"large_dwellings: a family of 7 needs a large dwelling; tie municipality {KIRUNA} has none",
    f"capacity_persons: 9 persons exceed the reception number of tie municipality {GOTEBORG}",
]
ENGLISH_MACHINE_WORDS = ("need_slots", "capacity_persons", "service slots", "any municipality", "LP bound")


def _build() -> dict[str, Any]:
    actor = officer()
    services.reception_import(actor=actor, year=YEAR, data=RECEPTION_CSV, filename="m.csv")
    services.case_import(actor=actor, year=YEAR, data=CASES_CSV + UNPLACEABLE, filename="c.csv")
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = services.run_start(actor=actor, year=YEAR, time_limit=10)
    run.refresh_from_db()
    assert run.status == RunStatus.PROPOSED
    return {"run": run}


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with module_data(django_db_blocker, _build) as built:
        yield built


@pytest.fixture
def run(world: dict[str, Any]) -> PlacementRun:
    return PlacementRun.objects.get(pk=world["run"].pk)


def _client(client: Any, language: str) -> Any:
    verified_login(client, officer_user())
    client.cookies["samverkan_language"] = language
    return client


def _t(msgid: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def _need(code: str, language: str) -> str:
    entry = NeedDefinition.objects.filter(code=code).order_by("-version__number").first()
    assert entry is not None
    with translation.override(language):
        return entry.label


def _main(body: str) -> str:
    return body[body.index("<main") : body.index("</main>")]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- Point 3: why a case could not be placed ---------------------------------------------------
def test_the_optimizer_gives_codes_and_the_run_keeps_them(run):
    proposal = run.proposals.get(case__reference="K-5")
    assert proposal.municipality_id is None and proposal.suggested_id is None
    assert proposal.reasons == [{"code": "no_service_places", "need": "DS"}]


@pytest.mark.parametrize("language", ["sv", "ar", "en"])
def test_an_unplaced_case_says_why_in_the_page_language_with_need_names(client, run, language):
    client = _client(client, language)
    body = client.get(f"/resettlement/runs/{run.pk}/cases/K-5/").content.decode()
    main = _main(body)
    assert _t("Why the case could not be placed", language) in main
    assert _t("Why it goes here", language) not in main
    if language == "sv":
        assert "Varför ärendet inte kunde placeras" in main
    with translation.override(language):
        expected = explain.reason_text(
            Reason("no_service_places", {"need": "DS"}), selectors.names_for(needs={"DS"})
        )
    assert _need("DS", language) in expected
    reasons = re.search(r"data-reasons>(.*?)</ul>", main, re.S)
    assert reasons is not None and expected in reasons.group(1)
    for word in ENGLISH_MACHINE_WORDS:
        assert word not in main
    # the run page names the reason beside the case too
    page = _main(client.get(f"/resettlement/runs/{run.pk}/").content.decode())
    unplaced = re.search(r"data-unplaced>(.*?)</ul></li></ul>", page, re.S)
    assert unplaced is not None and expected in unplaced.group(1)


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_reasons_stored_as_english_by_earlier_runs_are_worded_in_the_page_language(client, run, language):
    proposal = run.proposals.get(case__reference="K-5")
    Proposal.objects.filter(pk=proposal.pk).update(reasons=LEGACY_REASONS)
    client = _client(client, language)
    main = _main(client.get(f"/resettlement/runs/{run.pk}/cases/K-5/").content.decode())
    reasons = re.search(r"data-reasons>(.*?)</ul>", main, re.S)
    assert reasons is not None
    items = re.findall(r"<li>(.*?)</li>", reasons.group(1), re.S)
    assert len(items) == len(LEGACY_REASONS)
    text = " ".join(items)
    for word in ENGLISH_MACHINE_WORDS:
        assert word not in text
    for code in ("WR", "SM"):
        assert _need(code, language) in text
    for name in ("Östersunds kommun", "Göteborgs kommun", "Kiruna kommun"):
        assert name in text


def test_every_stored_form_is_read_back_into_codes():
    assert [explain.reason_from_stored(text) for text in LEGACY_REASONS] == [
        Reason("no_service_places", {"need": "WR"}),
        Reason("used_up", {"limit": "persons", "municipalities": [OSTERSUND, GOTEBORG]}),
        Reason("too_little", {"limit": "need_slots", "need": "SM", "municipalities": [KIRUNA]}),
        Reason("no_large_dwelling", {"persons": 7, "tie": KIRUNA}),
        Reason("too_many_persons", {"persons": 9, "tie": GOTEBORG}),
    ]
    more = explain.reason_from_stored("large_dwellings: used up by other cases in 0114, 0115 …")
    assert more == Reason(
        "used_up", {"limit": "large_dwellings", "municipalities": ["0114", "0115"], "others": True}
    )
    assert explain.reason_from_stored(Reason("used_up", {"limit": "persons"}).as_json()) == Reason(
        "used_up", {"limit": "persons"}
    )
    assert explain.reason_from_stored("something else") is None


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_the_run_page_says_how_good_the_placement_is_and_keeps_the_solver_in_technical_details(
    client, run, language
):
    client = _client(client, language)
    main = _main(client.get(f"/resettlement/runs/{run.pk}/").content.decode())
    technical = re.search(r"<details[^>]*data-technical>(.*?)</details>", main, re.S)
    assert technical is not None
    outside = main.replace(technical.group(0), "")
    assert "HiGHS" in technical.group(1) and run.input_sha256 in technical.group(1)
    assert "HiGHS" not in outside and run.input_sha256 not in outside
    assert _t("Technical details", language) in technical.group(1)
    for jargon in ("LP", "bound", "relative", "Input hash"):
        assert jargon not in _text(main)
    # no negative number anywhere: the objective (with its penalty per unplaced case) is never shown
    assert not re.search(r"(?<![\w\d-])[-−]\d", _text(main))
    assert 'data-placed="4" data-total="5"' in main
    assert re.search(r'data-quality="(best|share)"', main)
    # the run has an urgent case (K-2), so "more cases" is said by priority
    assert (
        _t(
            "No placement can place more cases within the limits without leaving a case of a higher "
            "priority unplaced.",
            language,
        )
        in main
    )


def test_quality_in_plain_words_from_the_solver_numbers():
    best = explain.quality(objective=5.0, bound=5.0, score=5.0)
    assert best is not None and best.best and best.share == 1.0 and not best.more_cases_possible
    share = explain.quality(objective=-11.0, bound=-10.5, score=4.0)  # an unplaced case, penalty 15
    assert share is not None and not share.more_cases_possible and share.percent == "88.8"
    open_ = explain.quality(objective=-11.0, bound=-9.0, score=4.0)
    assert open_ is not None and open_.more_cases_possible and open_.share is None
    assert explain.quality(objective=None, bound=None, score=0.0) is None


def test_a_running_run_names_its_step_plainly(client, run):
    PlacementRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, step="lp")
    client = _client(client, "en")
    body = client.get(f"/resettlement/runs/{run.pk}/status/").content.decode()
    assert "Working out how good a placement can be" in body and "LP relaxation" not in body


# --- Point 4: moving a case --------------------------------------------------------------------
def _options(main: str) -> dict[str, str]:
    select = re.search(r'<select name="municipality".*?</select>', main, re.S)
    assert select is not None
    return {
        v: _text(label).strip()
        for v, label in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select.group(0), re.S)
    }


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_the_move_list_names_every_municipality_with_what_it_has_left(client, run, language):
    client = _client(client, language)
    main = _main(client.get(f"/resettlement/runs/{run.pk}/cases/K-1/").content.decode())
    options = _options(main)
    assert '<input type="text" name="municipality"' not in main  # no kommunkod to type
    assert "none" in options and len(options) > 250  # not placed, and the register
    # K-1 (3 persons, SM) left out: Kiruna has no SM places, and its places less the run's cases there
    kiruna = next(
        o for o in selectors.move_options(run, run.proposals.get(case__reference="K-1")) if o.code == KIRUNA
    )
    assert kiruna.left is not None and kiruna.left.need_slots.get("SM", 0) == 0
    left = kiruna.left.capacity_persons
    assert options[KIRUNA].startswith("Kiruna kommun – ")
    plural = translation.ngettext  # the msgid is the view's
    with translation.override(language):
        places = plural("%(n)s place left", "%(n)s places left", left) % {"n": left}
    assert places in options[KIRUNA] and _need("SM", language) in options[KIRUNA]
    groups = re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', main, re.S)
    by_label = {label: body for label, body in groups}
    fits = by_label[_t("Room for this case", language)]
    breaks = by_label[_t("Moving the case here breaks a limit", language)]
    assert f'value="{KIRUNA}"' in breaks and f'value="{KIRUNA}"' not in fits
    assert options["0114"] == "Upplands Väsby kommun"  # no reception number this year


def test_a_move_that_breaks_a_limit_is_shown_and_confirmed_before_it_is_saved(client, run):
    client = _client(client, "sv")
    url = f"/resettlement/runs/{run.pk}/cases/K-2/"
    answer = client.post(url, {"municipality": KIRUNA, "note": "Familjen önskar (fiktivt)"})
    body = answer.content.decode()
    assert answer.status_code == 200 and "data-confirm-form" in body
    with translation.override("sv"):
        tie = explain.reason_text(
            Reason("tie", {"municipality": GOTEBORG}), selectors.names_for(municipalities={GOTEBORG})
        )
    assert tie in body and "Göteborgs kommun" in tie
    assert run.proposals.get(case__reference="K-2").municipality_id == GOTEBORG  # nothing moved yet
    answer = client.post(
        url, {"municipality": KIRUNA, "note": "Familjen önskar (fiktivt)", "confirmed": "yes"}
    )
    assert answer.status_code == 302
    moved = run.proposals.get(case__reference="K-2")
    assert (
        moved.municipality_id == KIRUNA
        and {"code": "tie", "municipality": GOTEBORG} in moved.override_warnings
    )
    main = _main(client.get(url).content.decode())
    assert tie in main  # the page says what the move broke, in the page's language


def test_a_move_within_the_limits_is_saved_at_once(client, run):
    client = _client(client, "sv")
    proposal = run.proposals.get(case__reference="K-4")  # one person, no needs, no tie
    target = next(
        o
        for o in selectors.move_options(run, proposal)
        if o.left and not o.warnings and o.code != proposal.municipality_id
    )
    answer = client.post(
        f"/resettlement/runs/{run.pk}/cases/K-4/", {"municipality": target.code, "note": "närmare jobbet"}
    )
    assert answer.status_code == 302
    assert run.proposals.get(case__reference="K-4").municipality_id == target.code


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_case_rows_open_the_case_and_name_its_needs(client, run, language):
    client = _client(client, language)
    main = _main(client.get(f"/resettlement/cases/{YEAR}/").content.decode())
    row = re.search(r'<tr class="govuk-table__row" data-case="K-1">(.*?)</tr>', main, re.S)
    assert row is not None
    assert f'href="/resettlement/runs/{run.pk}/cases/K-1/"' in row.group(1)
    needs = re.search(r"data-needs>(.*?)</td>", row.group(1), re.S)
    assert needs is not None and _need("SM-CI", language) in needs.group(1) and "SM-CI" not in needs.group(1)
    # the run's table names the needs as well
    main = _main(client.get(f"/resettlement/runs/{run.pk}/").content.decode())
    row = re.search(r'data-case="K-5">(.*?)</tr>', main, re.S)
    assert row is not None and _need("DS", language) in row.group(1)


def test_a_case_outside_any_run_is_listed_without_a_link(client, run):
    Case.objects.create(reference="K-9", year=YEAR)
    main = _main(_client(client, "sv").get(f"/resettlement/cases/{YEAR}/").content.decode())
    row = re.search(r'data-case="K-9">(.*?)</tr>', main, re.S)
    assert row is not None and "<a " not in row.group(1)


# --- Irreversible: approve and discard ask first -------------------------------------------------
@pytest.mark.parametrize("action", ["approve", "discard"])
def test_approving_or_discarding_a_run_asks_first(client, run, action):
    client = _client(client, "sv")
    url = f"/resettlement/runs/{run.pk}/{action}/"
    answer = client.post(url)
    assert answer.status_code == 200 and "data-confirm-form" in answer.content.decode()
    assert PlacementRun.objects.get(pk=run.pk).status == RunStatus.PROPOSED
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert (
        PlacementRun.objects.get(pk=run.pk).status == {"approve": "approved", "discard": "discarded"}[action]
    )


# --- Point 12: wording, and no English on Swedish and Arabic pages ------------------------------
def test_the_placement_tool_is_called_so_in_swedish_and_arabic():
    assert _t("Proposed by the placement tool", "sv") == "Placeringsverktygets förslag"
    assert _t("Seed", "sv") == "Startvärde för slumpen (seed)"
    assert _t("Legacy greedy (for comparison)", "sv") == "Äldre stegvis metod (för jämförelse)"
    assert _t("Why the case could not be placed", "sv") == "Varför ärendet inte kunde placeras"
    assert "أداة التوزيع" in _t("Proposed by the placement tool", "ar")
    assert "الجشعة" not in _t("Legacy greedy (for comparison)", "ar")
    assert "البذرة" not in _t("Seed", "ar")


def _template_msgids() -> set[str]:
    msgids: set[str] = set()
    for name in (
        "run_detail.html",
        "_run_status.html",
        "proposal_detail.html",
        "case_list.html",
        "home.html",
    ):
        msgids.update(re.findall(r'{% translate "([^"]+)"', (TEMPLATES / name).read_text(encoding="utf-8")))
    return msgids


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_no_english_is_left_on_the_placement_pages(client, run, language):
    client = _client(client, language)
    pages = [
        f"/resettlement/?year={YEAR}",
        f"/resettlement/cases/{YEAR}/",
        f"/resettlement/runs/{run.pk}/",
        f"/resettlement/runs/{run.pk}/cases/K-1/",
        f"/resettlement/runs/{run.pk}/cases/K-5/",
    ]
    same_in_swedish = {"Person", "Status"}
    untranslated = [m for m in _template_msgids() - same_in_swedish if _t(m, language) == m]
    assert not untranslated, f"no {language} translation: {untranslated}"
    for url in pages:
        text = _text(_main(client.get(url).content.decode()))
        assert "Optimer" not in text and "optimizer" not in text
        for msgid in _template_msgids():
            if len(msgid) > 12:  # whole phrases: short words may be names or codes
                assert msgid not in text, f"{url} shows English in {language}: {msgid!r}"
        for word in ENGLISH_MACHINE_WORDS:
            assert word not in text, f"{url}: {word!r}"
    if language == "sv":
        home = _main(client.get(pages[0]).content.decode())
        assert "Placeringsverktyget" in home


def test_dates_and_numbers_are_isolated_for_right_to_left(client, run):
    client = _client(client, "ar")
    main = _main(client.get(f"/resettlement/cases/{YEAR}/").content.decode())
    assert "<bdi>2027-03-01</bdi>" in main
    main = _main(client.get(f"/resettlement/?year={YEAR}").content.decode())
    assert re.search(r"<bdi>\d{4}-\d{2}-\d{2} \d{2}:\d{2}</bdi>", main)


# --- The command line keeps English for its own readers ------------------------------------------
def test_the_command_line_reports_unplaced_cases_in_english_and_as_codes(tmp_path, capsys):
    (tmp_path / "M.csv").write_text(
        "code,name,capacity_persons,large_dwellings,need_slots\n0180,Fiktiva Stockholm,10,1,SM=1\n",
        encoding="utf-8",
    )
    (tmp_path / "C.csv").write_text(
        "case_id,size,needs,tie_municipality\nK1,2,DS,\nK2,2,SM,\nK3,2,SM,\n", encoding="utf-8"
    )
    args = ["solve", "--municipalities", str(tmp_path / "M.csv"), "--cases", str(tmp_path / "C.csv")]
    args += ["--out", str(tmp_path / "p.csv"), "--report", str(tmp_path / "r.json")]
    assert cli_main(args) == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["unplaced"]["K1"] == ["any municipality has no service places for DS"]
    assert report["unplaced_codes"]["K1"] == [{"code": "no_service_places", "need": "DS"}]
    blocked = next(k for k in ("K2", "K3") if k in report["unplaced"])
    assert report["unplaced"][blocked] == [
        "service places for SM: used up by other cases in Fiktiva Stockholm (0180)"
    ]
    out = capsys.readouterr().out
    assert "K1 not placed: any municipality has no service places for DS" in out


# --- Problems in an imported file: codes in the optimizer's file reader, words in the page -------
def test_a_file_problem_is_a_code_with_parameters_and_english_for_the_command_line():
    from samverkan.resettlement.optimizer.files import InputError, parse_municipalities

    with pytest.raises(InputError) as exc:
        parse_municipalities(
            "m.csv", b"code,name,capacity_persons,large_dwellings,need_slots\n0180,x,-3,0,\n"
        )
    assert (exc.value.code, exc.value.params, exc.value.field) == (
        "negative",
        {"value": -3},
        "capacity_persons",
    )
    assert str(exc.value) == "m.csv:2: capacity_persons: -3 is negative"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("sv", "cases.csv, rad 5, kolumnen tie_municipality: okänd kommunkod '0000'"),
        ("ar", "cases.csv، السطر 5، العمود tie_municipality: رمز بلدية غير معروف '0000'"),
    ],
)
def test_a_bad_case_file_is_explained_in_the_page_language(client, run, language, expected):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = CASES_CSV.replace(b"K-2,30,F,WR,ti,,,urgent,1480", b"K-2,30,F,WR,ti,,,urgent,0000")
    bad = bad.replace(b"K-", b"N-")  # new references: the module's cases exist already
    client = _client(client, language)
    answer = client.post(f"/resettlement/cases/{YEAR}/", {"file": SimpleUploadedFile("cases.csv", bad)})
    body = answer.content.decode().replace("&#x27;", "'")
    assert answer.status_code == 200 and expected in body


def test_a_case_left_unplaced_by_hand_says_so_rather_than_a_limit(client, run):
    client = _client(client, "sv")
    answer = client.post(
        f"/resettlement/runs/{run.pk}/cases/K-4/", {"municipality": "none", "note": "väntar"}
    )
    assert answer.status_code == 302
    main = _main(client.get(f"/resettlement/runs/{run.pk}/").content.decode())
    row = re.search(r'data-unplaced>.*?<li data-case="K-4">(.*?)</ul></li>', main, re.S)
    assert row is not None and "Lämnat oplacerat för hand." in row.group(1)

"""The lottery speaks in codes; the pages speak the reader's language (issue #18, the house rule
"messages from pure packages are codes with parameters").

The pure lottery names what is wrong (a bad file, an instance it refuses, quotas no panel meets) as a
code with parameters; the platform renders it in Swedish, English or Arabic, with every value
isolated for right-to-left text. A failed run stores its codes, so it reads in the language of
whoever opens it, not of the worker that ran it. The command line keeps the lottery's English.
"""

from __future__ import annotations

import ast
import inspect
import re

import pytest
from django.utils import translation
from django.utils.html import escape

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login
from samverkan.panels import messages as app_messages
from samverkan.panels import services
from samverkan.panels.lottery import explain_infeasible, feasibility, files, model, quotas
from samverkan.panels.lottery.files import InputError, parse_people, parse_pool
from samverkan.panels.lottery.messages import ENGLISH, Message, english
from samverkan.panels.messages import CLI_ONLY, FSI, PDI, TEXTS, render, render_input_error
from samverkan.panels.models import RunStatus
from samverkan.panels.tests.factories import pool


def plain(text: str) -> str:
    return text.replace(FSI, "").replace(PDI, "")


# --- The catalogue ---------------------------------------------------------------------------
def _codes_used(module: object) -> set[str]:
    """The codes a lottery module raises or builds: the first string argument of InputError (after
    path and line), LotteryInputError and message(...)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):  # type: ignore[arg-type]
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        position = {"InputError": 2, "LotteryInputError": 0, "message": 0}.get(name)
        if position is None or len(node.args) <= position:
            continue
        argument = node.args[position]
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            found.add(argument.value)
        elif isinstance(argument, ast.JoinedStr):  # f"bound_{side}"
            prefix = "".join(v.value for v in argument.values if isinstance(v, ast.Constant))
            found |= {code for code in ENGLISH if code.startswith(prefix)}
    return found


def test_every_code_the_lottery_uses_is_known_and_every_page_code_has_a_translatable_text():
    used = set().union(*(_codes_used(m) for m in (files, model, quotas, feasibility)))
    assert used and used <= set(ENGLISH), used - set(ENGLISH)
    # Every code a page can meet has its own text in the catalogs; the rest are the command line's.
    assert set(ENGLISH) - CLI_ONLY == set(TEXTS), (set(ENGLISH) - CLI_ONLY) ^ set(TEXTS)
    # Each text uses the parameters the code has (``quota`` is its feature=value as one unit).
    for code, text in TEXTS.items():
        names = set(re.findall(r"{(\w+)}", ENGLISH[code]))
        used = set(re.findall(r"%\((\w+)\)s", str(text)))
        if "quota" in used:
            used = (used - {"quota"}) | {"feature", "value"}
        assert used == names, (code, used ^ names)


def test_the_lottery_says_what_is_wrong_as_a_code_with_parameters():
    with pytest.raises(InputError) as info:
        parse_pool("people.csv", b"id,k\xc3\xb6n\nA1,\nA2,man\n", id_column="id")
    error = info.value
    assert (error.line, error.message.code, dict(error.message.params)) == (
        2,
        "person_value_empty",
        {"feature": "kön", "person": "A1"},
    )
    # The command line and str() keep the lottery's English.
    assert str(error) == "people.csv:2: empty value for feature 'kön' (person 'A1')"


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_a_file_error_reads_in_the_page_language_with_its_values_isolated(language):
    with pytest.raises(InputError) as info:
        parse_pool("people.csv", b"id,k\xc3\xb6n\nA1,\nA2,man\n", id_column="id")
    with translation.override(language):
        text = render_input_error(info.value)
        expected = translation.gettext("%(file)s, line %(line)s: %(reason)s") % {
            "file": f"{FSI}people.csv{PDI}",
            "line": f"{FSI}2{PDI}",
            "reason": translation.gettext(
                "the person “%(person)s” has no value for the feature “%(feature)s”"
            )
            % {"person": f"{FSI}A1{PDI}", "feature": f"{FSI}kön{PDI}"},
        }
    assert text == expected
    assert "empty value" not in text and "line" not in text


def test_nested_messages_and_lists_render_in_the_language(english):
    error = explain_infeasible(
        model.Instance(
            people=("a", "b", "c", "d"),
            features={
                p: {"sex": s, "region": r}
                for p, s, r in [("a", "f", "N"), ("b", "f", "N"), ("c", "m", "S"), ("d", "m", "S")]
            },
            quotas=(
                model.Quota("sex", "f", 2, 2),
                model.Quota("sex", "m", 0, 2),
                model.Quota("region", "N", 0, 2),
                model.Quota("region", "S", 2, 2),
            ),
            size=2,
        )
    )
    assert error is not None
    codes = [reason.code for reason in error.reasons]
    assert "quotas_conflict" in codes and codes[-1] == "smallest_relaxation"
    conflict = next(r for r in error.reasons if r.code == "quotas_conflict")
    assert plain(render(conflict)) == (
        "these quotas cannot all hold at once: sex=f at least 2, region=S at least 2 (panel size 2)"
    )
    assert (
        conflict.english()
        == "these quotas cannot all hold at once: sex=f min 2, region=S min 2 (panel size 2)"
    )
    # Stored as JSON and read back, it renders the same.
    assert render(conflict.as_dict()) == render(conflict)
    with translation.override("ar"):
        arabic = plain(render(conflict))
    assert "sex=f" in arabic and "cannot" not in arabic and "،" in arabic


def test_figures_in_messages_are_grouped_but_line_numbers_are_not():
    with translation.override("sv"):
        text = plain(render(Message("pool_below_size", {"people": 12000, "size": 15000})))
        where = plain(render_input_error(InputError("people.csv", 12000, "id_empty", column="id")))
    assert "12\xa0000" in text and "15\xa0000" in text
    assert where.startswith("people.csv, rad 12000:")


def test_the_command_line_keeps_its_english():
    assert (
        english("result_key", {"key": "panels"})
        == "not a result file: 'panels' is missing or of the wrong type"
    )
    assert render({"code": "result_key", "params": {"key": "panels"}}) == english(
        "result_key", {"key": "panels"}
    )


# --- On the pages ----------------------------------------------------------------------------
@pytest.fixture
def org():
    return organisation()


@pytest.fixture
def user(org):
    return member("coordinator", org)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "ar"])
def test_a_bad_people_file_is_explained_in_the_page_language(client, user, org, language):
    verified_login(client, user)
    client.cookies["samverkan_language"] = language
    form = {
        "owner": org.pk,
        "name": "Fiktiv pool",
        "panel_size": 2,
        "id_column": "id",
        "feature_columns": "",
        "household_column": "",
        "people_text": "id,kön\nA1,kvinna\nA1,man\nA3,man\n",
    }
    page = client.post("/panels/new/", form).content.decode()
    with translation.override(language):
        reason = translation.gettext("the id “%(person)s” is given twice (first on line %(first)s)")
    assert escape(reason % {"person": f"{FSI}A1{PDI}", "first": f"{FSI}2{PDI}"}) in page
    assert "duplicate id" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "ar"])
def test_a_run_no_panel_can_meet_is_explained_in_the_readers_language(
    client, user, org, language, django_capture_on_commit_callbacks
):
    actor = actor_for_user(user)
    the_pool = pool(actor, org.pk, n=12, size=10)  # 6 women, 6 men
    rows = [
        services.QuotaRow("kön", "kvinna", 7, 8),
        services.QuotaRow("kön", "man", 2, 3),
        services.QuotaRow("grund", "skydd", 0, 10),
        services.QuotaRow("grund", "familj", 0, 10),
        services.QuotaRow("grund", "arbete", 0, 10),
    ]
    services.pool_quotas_set(actor=actor, pool=the_pool, rows=rows, source="hand")
    with translation.override("sv"), django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(actor=actor, pool=the_pool, seed="1")  # the worker runs in Swedish
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.problems[0]["code"] == "value_too_few_people"
    assert run.problems[-1]["code"] == "smallest_relaxation"
    assert "kvinna needs at least 7 but only 6 volunteers" in run.error  # the audit trail's English
    verified_login(client, user)
    client.cookies["samverkan_language"] = language
    page = client.get(f"/panels/runs/{run.pk}/").content.decode()
    lines = [plain(line) for line in re.findall(r"<li data-run-error>(.*?)</li>", page, re.S)]
    with translation.override(language):
        first = translation.gettext(
            "%(quota)s needs at least %(min)s, but only %(people)s volunteers have it"
        )
        assert lines[0] == escape(first % {"quota": "kön=kvinna", "min": "7", "people": "6"})
        assert lines[-1].startswith(escape(str(TEXTS["smallest_relaxation"]).split("%")[0]))
    assert "needs at least" not in page and "smallest relaxation" not in page


@pytest.mark.django_db
def test_a_run_the_worker_left_is_explained_in_the_readers_language(client, user, org, settings):
    import datetime as dt

    from django.utils import timezone

    from samverkan.panels.models import SelectionRun

    actor = actor_for_user(user)
    the_pool = pool(actor, org.pk)
    services.pool_quotas_set(
        actor=actor,
        pool=the_pool,
        rows=[
            services.QuotaRow("kön", "kvinna", 5, 5),
            services.QuotaRow("kön", "man", 5, 5),
        ],
        source="hand",
    )
    run = services.run_start(actor=actor, pool=the_pool, seed="1")
    SelectionRun.objects.filter(pk=run.pk).update(
        status="running", started_at=timezone.now() - dt.timedelta(days=1)
    )
    assert services.runs_fail_stalled() == 1
    run.refresh_from_db()
    assert run.problems == [{"code": "run_stalled", "params": {}}]
    verified_login(client, user)
    client.cookies["samverkan_language"] = "ar"
    page = client.get(f"/panels/runs/{run.pk}/").content.decode()
    with translation.override("ar"):
        stalled = str(app_messages.RUN_TEXTS["run_stalled"])
    assert escape(stalled) in page and "worker stopped" not in page


def test_the_people_reader_checks_the_same_codes(english):
    table = parse_pool("p.csv", b"id,g\na,x\nb,y\n", id_column="id")[1]
    assert table == {"g": ("x", "y")}
    with pytest.raises(InputError) as info:
        parse_people(
            "p.csv",
            b"id,g\na,z\n",
            files.FeatureTable("f.csv", (files.FeatureRow("g", "x", 0, 1, 2),)),
            id_column="id",
        )
    assert info.value.message.code == "person_value_unknown"
    assert plain(render(info.value.message)) == (
        "the value “z” of the feature “g” (person “a”) is not in f.csv; allowed: x"
    )

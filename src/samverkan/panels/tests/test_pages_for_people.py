"""The panels pages as their users read them (issue #18, point 8 and the panels parts of 11 and 12).

* The public report of a small panel says something, or says plainly why it cannot: no table of
  "x" in every cell. Values the quotas expect to be small are counted together, each count has its
  share of the panel and the target share beside it.
* Replacing a member and publishing the report ask first; one POST alone changes nothing.
* "Target share" is shown where the quotas have one (and kept when the bounds are edited by hand),
  and left out where none has; no "(optional) (optional)".
* In Swedish and Arabic no English is left on the pages; the algorithm and where the quotas come
  from are named in the page's language; figures are grouped, values isolated for right to left.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.utils import translation
from django.utils.html import escape

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.models import AuditEvent
from samverkan.panels import services
from samverkan.panels.models import ReportRelease
from samverkan.panels.tests.factories import even_quotas, pool
from samverkan.statistics.tests.factories import cube, store
from tests.browser.language_check import html_left

pytestmark = pytest.mark.django_db

REGIONS = ("Asien", "Afrika", "Europa", "Amerika")


@pytest.fixture
def org():
    return organisation()


@pytest.fixture
def user(org):
    return member("coordinator", org)


def _small_panel(user, org, capture, *, regions=True):
    """A panel of 12 from 48 fictional volunteers: kön 6/6, and origin by target shares (Asien half
    the panel, the three others under 5 each, so counted together)."""
    actor = actor_for_user(user)
    lines = ["id,kön,ursprung"]
    for i in range(48):
        lines.append(f"F{i:02d},{('kvinna', 'man')[i % 2]},{REGIONS[(i // 2) % 4]}")
    the_pool = services.pool_create(
        actor=actor,
        owner_id=org.pk,
        name="Fiktiv pool",
        panel_size=12,
        data=("\n".join(lines) + "\n").encode(),
        filename="people.csv",
        id_column="id",
    )
    shares = "feature,value,share\nkön,kvinna,50\nkön,man,50\n"
    if regions:
        shares += "ursprung,Asien,50\nursprung,Afrika,30\nursprung,Europa,15\nursprung,Amerika,5\n"
    else:
        shares += "".join(f"ursprung,{r},25\n" for r in REGIONS)
    services.pool_quotas_from_csv(actor=actor, pool=the_pool, data=shares.encode(), filename="shares.csv")
    with capture(execute=True):
        run = services.run_start(actor=actor, pool=the_pool, seed="12")
    run.refresh_from_db()
    return run


class _Tables(HTMLParser):
    """The report's tables: caption and rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("data-table", "").startswith("report-"):
            self.tables.append({"caption": "", "rows": []})
        elif not self.tables:
            return
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1]["rows"][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._in_caption and self.tables:
            self.tables[-1]["caption"] += data.strip()
        elif self._cell is not None:
            self._cell.append(data)


def _report_tables(html: str) -> list[dict]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


# --- Point 8: the public report of a small panel ----------------------------------------------
def test_the_report_of_a_12_person_panel_shows_counts_or_says_why_not(
    client, user, org, django_capture_on_commit_callbacks
):
    run = _small_panel(user, org, django_capture_on_commit_callbacks)
    services.run_publish(actor=actor_for_user(user), run=run)
    page = client.get(f"/panels/reports/{run.pk}/").content.decode()
    tables = _report_tables(page)
    # Every quota'd feature is either a table with counts or named in the explanation.
    captions = [t["caption"] for t in tables]
    assert captions == ["kön", "ursprung"]
    for table in tables:
        counts = [row[1] for row in table["rows"][1:]]
        assert any(c != "x" for c in counts), f"a table of x only: {table}"
    kön = {row[0]: row[1:] for row in tables[0]["rows"][1:]}
    with translation.override("sv"):
        together = translation.gettext("Together:")
    assert kön == {"kvinna": ["6", "50\xa0%", "50\xa0%"], "man": ["6", "50\xa0%", "50\xa0%"]}
    origin = {row[0]: row[1:] for row in tables[1]["rows"][1:]}
    # Asien is expected to have 6 members: shown alone; the other three together (30+15+5 %).
    assert origin == {
        "Asien": ["6", "50\xa0%", "50\xa0%"],
        f"{together} Afrika, Europa, Amerika": ["6", "50\xa0%", "50\xa0%"],
    }
    assert "data-together-note" in page and "data-report-too-small" not in page
    # The release keeps the rows, so the next one is protected with the same.
    release = ReportRelease.objects.get(run=run)
    assert release.tables[1]["groups"] == [["Asien"], ["Afrika", "Europa", "Amerika"]]


def test_a_feature_too_small_to_show_is_explained_in_words_not_a_table_of_x(
    client, user, org, django_capture_on_commit_callbacks
):
    run = _small_panel(user, org, django_capture_on_commit_callbacks, regions=False)
    services.run_publish(actor=actor_for_user(user), run=run)
    page = client.get(f"/panels/reports/{run.pk}/").content.decode()
    # ursprung: 3 of each origin expected, all under 5, so all counted together: the panel size.
    assert [t["caption"] for t in _report_tables(page)] == ["kön"]
    assert ">x<" not in page
    explanation = re.search(r"<div class=\"govuk-inset-text\" data-report-too-small>(.*?)</div>", page, re.S)
    assert explanation is not None and "<bdi>ursprung</bdi>" in explanation.group(1)
    with translation.override("sv"):
        lead = translation.gettext(
            "The panel is too small to show how its members are spread by %(features)s: with %(size)s "
            "members, every count would be under %(threshold)s, or would let one that is be worked out "
            "from the others. Nothing is shown rather than a table of withheld figures."
        )
    assert escape(lead.split("%(features)s")[0]) in explanation.group(1)


def test_after_a_replacement_the_report_says_why_it_shows_less(
    client, user, org, django_capture_on_commit_callbacks
):
    run = _small_panel(user, org, django_capture_on_commit_callbacks)
    actor = actor_for_user(user)
    services.run_publish(actor=actor, run=run)
    services.member_withdraw(actor=actor, run=run, member_id=run.members.first().pk)
    page = client.get(f"/panels/reports/{run.pk}/").content.decode()
    assert 'data-release="2"' in page and ">x<" not in page
    with translation.override("sv"):
        why = translation.gettext(
            "Members have left or joined the panel since an earlier version of this report. Showing how "
            "its members are spread by %(features)s now would let anyone compare the two versions and "
            "learn something about those few people, so nothing is shown rather than a table of withheld "
            "figures."
        )
    assert escape(why) % {"features": "<bdi>kön</bdi>, <bdi>ursprung</bdi>"} in page


# --- Asking first ---------------------------------------------------------------------------
def test_publishing_the_report_asks_first_and_withdrawing_it_does_not(
    client, user, org, django_capture_on_commit_callbacks
):
    actor = actor_for_user(user)
    the_pool = pool(actor, org.pk)
    services.pool_quotas_set(actor=actor, pool=the_pool, rows=even_quotas(), source="hand")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(actor=actor, pool=the_pool, seed="1")
    verified_login(client, user)
    url = f"/panels/runs/{run.pk}/publish/"
    question = client.post(url)
    run.refresh_from_db()
    assert question.status_code == 200 and "data-confirm-form" in question.content.decode()
    assert not run.is_published and not ReportRelease.objects.exists()
    assert not AuditEvent.objects.filter(code="panels.report.published").exists()
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    run.refresh_from_db()
    assert run.is_published and ReportRelease.objects.count() == 1
    # Taking the report down can be undone by publishing again: it does not ask.
    assert client.post(url, {"published": "0"}).status_code == 302
    run.refresh_from_db()
    assert not run.is_published


# --- Target share, optional fields ----------------------------------------------------------
def test_the_target_share_column_is_filled_from_the_quotas_or_left_out(client, user, org):
    actor = actor_for_user(user)
    the_pool = pool(actor, org.pk)
    verified_login(client, user)
    services.pool_quotas_set(actor=actor, pool=the_pool, rows=even_quotas(), source="hand")
    with translation.override("sv"):
        heading = translation.gettext("Target share")
    page = client.get(f"/panels/{the_pool.pk}/").content.decode()
    assert heading not in page  # quotas set by hand have no target
    store(cube([[55, 45], [60, 40]], sexes=("kvinna", "man")), slug="fiktiv-befolkning")
    from samverkan.statistics.models import Dataset

    services.pool_quotas_from_statistics(
        actor=actor,
        pool=the_pool,
        dataset=Dataset.objects.get(slug="fiktiv-befolkning"),
        mapping={"kön": "sex"},
        tolerance=1,
    )
    page = client.get(f"/panels/{the_pool.pk}/").content.decode()
    shares = re.findall(r"<td class=\"govuk-table__cell sv-num\" data-target-share>([^<]*)</td>", page)
    # 115 and 85 of 200; grund has no quotas.
    assert heading in page and shares == ["58\xa0%", "43\xa0%", "–", "–", "–"]
    # Editing the bounds by hand keeps the target: it is still what the statistics say.
    response = client.post(
        f"/panels/{the_pool.pk}/quotas/", {"min-0": "5", "max-0": "7", "min-1": "3", "max-1": "5"}
    )
    assert response.status_code == 302
    assert [q.target_share for q in the_pool.quotas.all()] == pytest.approx([0.575, 0.425])
    page = client.get(f"/panels/{the_pool.pk}/").content.decode()
    assert re.findall(r"data-target-share>([^<]*)</td>", page)[:2] == ["58\xa0%", "43\xa0%"]


def test_no_field_says_optional_twice(client, user):
    verified_login(client, user)
    page = client.get("/panels/new/").content.decode()
    with translation.override("sv"):
        optional = translation.gettext("optional")
    assert f"({optional}) <span" not in page
    assert not re.search(rf"\({optional}\)[^<]*<span[^>]*>\({optional}\)", page)
    label = re.search(r'<label class="govuk-label" for="id_household_column">(.*?)</label>', page, re.S)
    assert label is not None and label.group(1).count(optional) == 1


# --- Swedish and Arabic ----------------------------------------------------------------------
@pytest.mark.parametrize("language", ["sv", "ar"])
def test_the_panels_pages_leave_no_english_and_name_things_in_the_page_language(
    client, user, org, language, django_capture_on_commit_callbacks
):
    run = _small_panel(user, org, django_capture_on_commit_callbacks)
    actor = actor_for_user(user)
    services.run_publish(actor=actor, run=run)
    verified_login(client, user)
    client.cookies["samverkan_language"] = language
    member_id = run.members.first().pk
    pages = {
        "pool list": client.get("/panels/"),
        "new pool": client.get("/panels/new/"),
        "pool": client.get(f"/panels/{run.pool_id}/"),
        "run": client.get(f"/panels/runs/{run.pk}/"),
        "report": client.get(f"/panels/reports/{run.pk}/"),
        "replace?": client.post(f"/panels/runs/{run.pk}/members/{member_id}/withdraw/"),
        "publish?": client.post(f"/panels/runs/{run.pk}/publish/"),
        "statistics quotas": client.get(f"/panels/{run.pool_id}/quotas/statistics/"),
    }
    left = {name: html_left(r.content.decode(), language) for name, r in pages.items()}
    assert not any(left.values()), left
    run_page = pages["run"].content.decode()
    pool_page = pages["pool"].content.decode()
    with translation.override(language):
        leximin = translation.gettext("Leximin (fairest possible)")
        origin = translation.gettext("the shares in %(file)s (tolerance in seats: %(tolerance)s)")
    # The algorithm by name, never its code alone; where the quotas come from, in the language.
    assert escape(leximin) in run_page and escape(leximin) in pages["report"].content.decode()
    assert ">leximin<" not in run_page and ">leximin<" not in pool_page
    assert escape(origin.split("%(file)s")[0]) in pool_page and "shares from" not in pool_page
    # Values keep their direction inside right-to-left text: ranges and ids are isolated.
    assert re.search(r'<bdi dir="ltr">\d+–\d+</bdi>', run_page)


def test_figures_in_tables_are_grouped(client, user, org, settings):
    settings.PANELS_MAX_POOL = 20_000
    actor = actor_for_user(user)
    lines = ["id,kön"] + [f"G{i:05d},{('kvinna', 'man')[i % 2]}" for i in range(12_000)]
    the_pool = services.pool_create(
        actor=actor,
        owner_id=org.pk,
        name="Stor fiktiv pool",
        panel_size=10,
        data=("\n".join(lines) + "\n").encode(),
        filename="people.csv",
        id_column="id",
    )
    verified_login(client, user)
    page = client.get(f"/panels/{the_pool.pk}/").content.decode()
    assert "data-volunteers>12\xa0000<" in page and ">6\xa0000<" in page
    assert ">12\xa0000<" in client.get("/panels/").content.decode()

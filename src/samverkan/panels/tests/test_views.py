"""The panels pages: who reaches them, the run page, exports safe for spreadsheets, the public report."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.audit import verify as verify_chain
from samverkan.core.models import AuditEvent
from samverkan.panels import services
from samverkan.panels.lottery.files import InputError
from samverkan.panels.messages import isolate, render_input_error
from samverkan.panels.models import PanelMember, Pool, ReportRelease
from samverkan.panels.tests.factories import even_quotas, people_csv

pytestmark = pytest.mark.django_db

WRITES = {"INSERT", "UPDATE", "DELETE", "REPLACE"}


@pytest.fixture
def org():
    return organisation()


@pytest.fixture
def user(org):
    return member("coordinator", org)


@pytest.fixture
def done_run(user, org, django_capture_on_commit_callbacks):
    actor = actor_for_user(user)
    the_pool = services.pool_create(
        actor=actor,
        owner_id=org.pk,
        name="Fiktiv pool",
        panel_size=10,
        data=people_csv(40).replace(b"V000", b"=HYPERLINK(1)"),
        filename="people.csv",
        id_column="id",
        feature_columns=["kön", "grund"],
    )
    services.pool_quotas_set(actor=actor, pool=the_pool, rows=even_quotas(), source="hand")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(actor=actor, pool=the_pool, seed="1")
    run.refresh_from_db()
    return run


def test_an_organiser_uploads_a_pool_through_the_form(client, user, org):
    verified_login(client, user)
    response = client.post(
        "/panels/new/",
        {
            "owner": org.pk,
            "name": "Fiktiv pool",
            "panel_size": 10,
            "id_column": "id",
            "feature_columns": "kön, grund",
            "household_column": "",
            "people": io.BytesIO(people_csv(20)),
        },
        format="multipart",
    )
    assert response.status_code == 302
    assert Pool.objects.get().volunteers.count() == 20


def test_a_bad_upload_shows_the_line_and_stores_nothing(client, user, org):
    verified_login(client, user)
    bad = people_csv(5).replace(b"kvinna,skydd", b",skydd", 1)
    upload = io.BytesIO(bad)
    upload.name = "people.csv"
    response = client.post(
        "/panels/new/",
        {
            "owner": org.pk,
            "name": "Fiktiv pool",
            "panel_size": 2,
            "id_column": "id",
            "feature_columns": "",
            "household_column": "",
            "people": upload,
        },
    )
    assert response.status_code == 200
    with translation.override("sv"):
        expected = render_input_error(
            InputError("people.csv", 2, "person_value_empty", feature="kön", person="V000")
        )
    assert escape(expected) in response.content.decode() and not Pool.objects.exists()


def test_pages_are_closed_to_other_organisations_and_to_readers(client, done_run, org):
    outsider = member("coordinator", organisation())
    verified_login(client, outsider)
    for url in (
        f"/panels/{done_run.pool_id}/",
        f"/panels/runs/{done_run.pk}/",
        f"/panels/runs/{done_run.pk}/panel.csv",
        f"/panels/runs/{done_run.pk}/people.csv",
        f"/panels/reports/{done_run.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    client.logout()
    reader = member("reader", org)
    client.force_login(reader)
    assert client.get("/panels/").status_code == 403
    assert client.get(f"/panels/{done_run.pool_id}/").status_code == 404


def test_the_run_page_shows_how_to_verify_and_is_logged_as_a_read(client, user, done_run):
    verified_login(client, user)
    page = client.get(f"/panels/runs/{done_run.pk}/").content.decode()
    assert (
        done_run.input_sha256 in page and "samverkan-panel select" in page and "--seed &#x27;1&#x27;" in page
    )
    assert 'data-table="composition"' in page and 'data-table="histogram"' in page
    assert AuditEvent.objects.filter(code="panels.run.viewed").count() == 1


def test_exports_cannot_be_taken_for_formulas(client, user, done_run):
    verified_login(client, user)
    csv_text = client.get(f"/panels/runs/{done_run.pk}/panel.csv").content.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(client.get(f"/panels/runs/{done_run.pk}/panel.xlsx").content))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert "=HYPERLINK" not in csv_text.replace("'=HYPERLINK", "")
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)
    assert len(book.active["A"]) == 11  # header and ten members
    assert AuditEvent.objects.filter(code="panels.panel.exported").count() == 2


def test_the_public_report_appears_only_when_published_and_withholds_small_counts(client, user, done_run):
    assert client.get(f"/panels/reports/{done_run.pk}/").status_code == 404
    services.run_publish(actor=actor_for_user(user), run=done_run)
    page = client.get(f"/panels/reports/{done_run.pk}/").content.decode()
    # kön 5/5 is published, with its share of the panel; grund's quotas (2 to 4 of each value)
    # leave every count under 5, so instead of a table of x the page says why it shows none.
    report = page[page.index('data-table="report-1"') :]
    report = report[: report.index("</table>")]
    assert report.count('sv-num">5<') == 2 and report.count(">50\u00a0%<") == 2 and ">x<" not in page
    assert 'data-table="report-1"' in page and 'data-table="report-2"' not in page
    assert "data-report-too-small" in page and "<bdi>grund</bdi>" in page
    assert 'data-release="1"' in page and 'data-size="10"' in page
    ids = [m.volunteer.external_id for m in done_run.members.select_related("volunteer")]
    assert not any(f">{i}<" in page for i in ids) and "HYPERLINK" not in page
    services.run_publish(actor=actor_for_user(user), run=done_run, published=False)
    assert client.get(f"/panels/reports/{done_run.pk}/").status_code == 404


def _main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def test_the_report_shows_the_latest_release_and_a_get_writes_nothing(client, user, done_run):
    actor = actor_for_user(user)
    services.run_publish(actor=actor, run=done_run)
    gone = done_run.members.filter(status="active").first()
    services.member_withdraw(actor=actor, run=done_run, member_id=gone.pk)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/panels/reports/{done_run.pk}/").content.decode()
    assert 'data-release="2"' in page and 'data-size="10"' in page
    writes = [q["sql"] for q in queries if q["sql"].lstrip().split()[0].upper() in WRITES]
    assert not writes, writes
    # The page shows the stored release, not the members now: a change that made no release (here
    # written past the services) does not reach it.
    PanelMember.objects.filter(run=done_run).update(status="withdrawn")
    assert _main(client.get(f"/panels/reports/{done_run.pk}/").content.decode()) == _main(page)
    assert ReportRelease.objects.filter(run=done_run).count() == 2


def test_organisers_see_the_report_before_it_is_published_without_figures(client, user, done_run):
    verified_login(client, user)
    page = client.get(f"/panels/reports/{done_run.pk}/").content.decode()
    assert "data-report-unpublished" in page and 'data-release="none"' in page
    assert 'data-table="report-1"' not in page and not ReportRelease.objects.exists()


def test_a_withdrawal_that_leaves_too_small_a_panel_takes_the_report_down(client, user, org):
    actor = actor_for_user(user)
    the_pool = services.pool_create(
        actor=actor,
        owner_id=org.pk,
        name="Fiktiv pool",
        panel_size=10,
        data=people_csv(10),
        filename="people.csv",
        id_column="id",
        feature_columns=["kön"],
    )
    rows = [services.QuotaRow("kön", "kvinna", 0, 10), services.QuotaRow("kön", "man", 0, 10)]
    services.pool_quotas_set(actor=actor, pool=the_pool, rows=rows, source="hand")
    run = services.run_start(actor=actor, pool=the_pool, seed="1")
    services.run_execute(run_id=run.pk)
    services.run_publish(actor=actor, run=run)  # 10 people, 5 and 5: both published
    # Nobody is left to replace a member: 9 people, 4 and 5, would give the 4 away.
    verified_login(client, user)
    first = run.members.first()
    client.post(f"/panels/runs/{run.pk}/members/{first.pk}/withdraw/", {"confirmed": "yes"})
    run.refresh_from_db()
    assert not run.is_published and ReportRelease.objects.filter(run=run).count() == 1
    taken_down = AuditEvent.objects.get(code="panels.report.withdrawn")
    assert taken_down.data == {"reason": "too small to report"}
    client.logout()
    assert client.get(f"/panels/reports/{run.pk}/").status_code == 404


def test_withdrawing_through_the_page_asks_first_then_replaces_the_member(client, user, done_run):
    verified_login(client, user)
    first = done_run.members.select_related("volunteer").first()
    url = f"/panels/runs/{done_run.pk}/members/{first.pk}/withdraw/"
    # One POST only asks: it says what will happen, and nothing changes.
    question = client.post(url)
    page = question.content.decode()
    assert question.status_code == 200 and "data-confirm-form" in page
    with translation.override("sv"):
        assert (
            escape(translation.gettext("Yes, replace %(id)s") % {"id": isolate(first.volunteer.external_id)})
            in page
        )
    assert done_run.members.get(pk=first.pk).status == "active" and done_run.members.count() == 10
    assert not AuditEvent.objects.filter(code="panels.member.replaced").exists()
    response = client.post(url, {"confirmed": "yes"})
    assert response.status_code == 302
    assert done_run.members.filter(status="active").count() == 10
    assert done_run.members.get(pk=first.pk).status == "withdrawn"


def test_shares_uploaded_on_the_pool_page_use_the_tolerance(client, user, done_run):
    verified_login(client, user)
    upload = io.BytesIO("feature,value,share\nkön,kvinna,60\nkön,man,40\n".encode())
    upload.name = "shares.csv"
    response = client.post(f"/panels/{done_run.pool_id}/quotas/csv/", {"features": upload, "tolerance": "2"})
    assert response.status_code == 302
    quotas = [(q.value, q.min, q.max) for q in done_run.pool.quotas.all()]
    assert quotas == [("kvinna", 4, 8), ("man", 2, 6)]


def test_volunteers_can_be_entered_as_rows_instead_of_a_file(client, user, org):
    verified_login(client, user)
    rows = "id,kön\nA1,kvinna\nA2,man\nA3,kvinna\n"
    form = {
        "owner": org.pk,
        "name": "Inskrivna",
        "panel_size": 2,
        "id_column": "id",
        "feature_columns": "",
        "household_column": "",
    }
    response = client.post("/panels/new/", {**form, "people_text": rows})
    assert response.status_code == 302
    assert list(Pool.objects.get().volunteers.values_list("external_id", flat=True)) == ["A1", "A2", "A3"]
    neither = client.post("/panels/new/", form)
    with translation.override("sv"):
        assert translation.gettext("Upload a file or enter the volunteers, not both and not neither.") in (
            neither.content.decode()
        )
    bad = client.post("/panels/new/", {**form, "people_text": "id,kön\nA1,\nA2,man\n"})
    with translation.override("sv"):
        where = translation.gettext("the volunteers entered on the page")
        expected = render_input_error(InputError(where, 2, "person_value_empty", feature="kön", person="A1"))
    assert escape(expected) in bad.content.decode()
    assert Pool.objects.count() == 1


def test_erasing_a_pool_removes_its_personal_data_and_keeps_an_audit_line(client, user, done_run, english):
    from samverkan.panels.models import PanelMember, Volunteer

    verified_login(client, user)
    pool_id = done_run.pool_id
    wrong = client.post(f"/panels/{pool_id}/delete/", {"confirm_name": "fel namn"})
    assert wrong.status_code == 302 and Pool.objects.filter(pk=pool_id).exists()
    outsider = member("coordinator", organisation())
    other = client.__class__()
    verified_login(other, outsider)
    assert other.post(f"/panels/{pool_id}/delete/", {"confirm_name": "Fiktiv pool"}).status_code == 404
    response = client.post(f"/panels/{pool_id}/delete/", {"confirm_name": "Fiktiv pool"})
    assert response.status_code == 302
    assert not Pool.objects.exists() and not Volunteer.objects.exists() and not PanelMember.objects.exists()
    event = AuditEvent.objects.get(code="panels.pool.deleted")
    assert event.data == {"volunteers": 40, "runs": 1, "name": "Fiktiv pool"}
    assert verify_chain().ok


def test_a_bad_quota_grid_is_answered_422_naming_the_value_and_keeping_the_entries(client, user, done_run):
    verified_login(client, user)
    before = list(done_run.pool.quotas.values_list("feature", "value", "min", "max"))
    response = client.post(f"/panels/{done_run.pool_id}/quotas/", {"min-0": "två", "max-0": "5"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "kön=kvinna" in page and 'value="två"' in page
    assert list(done_run.pool.quotas.values_list("feature", "value", "min", "max")) == before

"""The fact base and content review: statements in risk topics flagged with the official text
beside them; approval bound to a revision and never by the submitter; only approved material
reaches participants; PDF and Word files read, bad files refused with a reason."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.core.models import AuditEvent
from samverkan.meetingplace import selectors, services
from samverkan.meetingplace.extract import ExtractError, extract_text
from samverkan.meetingplace.models import FactStatement, MaterialRevision
from samverkan.meetingplace.precheck import Fact, detect_topic, precheck, split_statements
from samverkan.meetingplace.tests.factories import session
from samverkan.organisations.models import Organisation

pytestmark = pytest.mark.usefixtures("english")

FACTS = [
    Fact(
        "at-und",
        "right_to_work",
        "En asylsökande som är undantagen från kravet på arbetstillstånd (AT-UND) "
        "får arbeta under väntetiden.",
        "An asylum seeker exempt from the work permit requirement (AT-UND) may work while waiting.",
    ),
    Fact(
        "sarskilt-bidrag",
        "benefits",
        "Särskilt bidrag kan beviljas om ett särskilt behov prövas och konstateras i det enskilda fallet.",
        "A special allowance may be granted only if a particular need is assessed and established.",
    ),
    Fact(
        "verkstallighet",
        "expulsion_return",
        "Ett beslut om utvisning som fått laga kraft ska verkställas; "
        "den som håller sig undan kan efterlysas.",
        "A final expulsion order is enforced; a person who absconds may be searched for by the police.",
    ),
]


# --- Pure pre-check -----------------------------------------------------------------------------
def test_statements_are_split_and_risk_topics_detected_in_three_languages():
    text = "Välkommen till träffen! Alla asylsökande får särskilt bidrag.\nKaffe serveras klockan tre."
    assert split_statements(text) == [
        "Välkommen till träffen!",
        "Alla asylsökande får särskilt bidrag.",
        "Kaffe serveras klockan tre.",
    ]
    assert detect_topic("Alla asylsökande får särskilt bidrag.") == "benefits"
    assert detect_topic("You can work without a permit.") == "right_to_work"
    assert detect_topic("يمكنك العمل بدون تصريح") == "right_to_work"
    assert detect_topic("Kaffe serveras klockan tre.") is None


def test_a_flagged_statement_gets_the_matching_official_text():
    findings = precheck(
        "Om du har ett utvisningsbeslut kan du stanna kvar om du håller dig undan i fyra år. Välkommen!",
        FACTS,
    )
    assert [f.flagged for f in findings] == [True, False]
    assert findings[0].topic == "expulsion_return" and findings[0].matches[0].key == "verkstallighet"
    english = precheck("Every asylum seeker gets a special allowance.", FACTS)[0]
    assert english.flagged and english.matches[0].key == "sarskilt-bidrag"


# --- Extraction ---------------------------------------------------------------------------------
def test_text_is_read_from_word_and_pdf_and_bad_files_are_refused():
    from docx import Document

    doc = Document()
    doc.add_paragraph("Alla får särskilt bidrag.")
    buffer = io.BytesIO()
    doc.save(buffer)
    assert "särskilt bidrag" in extract_text("info.docx", buffer.getvalue())
    with pytest.raises(ExtractError, match="not a PDF"):
        extract_text("info.pdf", b"hello")
    with pytest.raises(ExtractError, match=r"only \.pdf, \.docx and \.txt"):
        extract_text("info.exe", b"MZ")
    with pytest.raises(ExtractError, match="could not be read"):
        extract_text("info.pdf", b"%PDF-1.4 broken")
    assert extract_text("a.txt", b"Hej\n") == "Hej"


# --- Services -----------------------------------------------------------------------------------
@pytest.fixture
def agency(db):
    return Organisation.objects.create(name="Migrationsverket", slug="migrationsverket", kind="agency")


@pytest.fixture
def facts(agency):
    editor = actor_for_user(member("editor", agency))
    for f in FACTS:
        services.fact_save(
            actor=editor,
            key=f.key,
            topic=f.topic,
            text_sv=f.text_sv,
            text_en=f.text_en,
            valid_from=dt.date(2020, 1, 1),
        )
    return editor


@pytest.mark.django_db
def test_facts_are_versioned_and_only_the_agency_edits_them(facts, agency):
    services.fact_save(
        actor=facts,
        key="at-und",
        topic="right_to_work",
        text_sv="Ny lydelse.",
        text_en="New wording.",
        valid_from=dt.date(2026, 1, 1),
    )
    current = {f.key: f for f in selectors.facts_current()}
    assert current["at-und"].version == 2 and current["at-und"].text_sv == "Ny lydelse."
    assert FactStatement.objects.filter(key="at-und").count() == 2
    with pytest.raises(NotFound):
        services.fact_save(
            actor=actor_for_user(member("administrator", organisation())),
            key="x",
            topic="other",
            text_sv="a",
            text_en="b",
            valid_from=dt.date(2026, 1, 1),
        )
    with pytest.raises(ValidationError) as exc:
        services.fact_save(
            actor=facts, key="Bad Key", topic="nope", text_sv="", text_en="b", valid_from=dt.date(2026, 1, 1)
        )
    assert set(exc.value.errors) == {"key", "topic", "text_sv"}


@pytest.mark.django_db
def test_review_binds_approval_to_a_revision_and_never_lets_the_submitter_approve(facts, agency):
    the_session = session()
    ngo = the_session.activity.organiser
    submitter = actor_for_user(member("editor", ngo))
    material = services.material_submit(
        actor=submitter,
        session=the_session,
        organisation_id=ngo.pk,
        title="Information om bidrag (fiktiv)",
        text="Alla asylsökande får särskilt bidrag. Välkommen!",
    )
    first = material.revisions.get()
    assert first.precheck[0]["flagged"] and first.precheck[0]["matches"]
    assert not first.precheck[1]["flagged"]
    reviewer = actor_for_user(member("case_officer", agency))
    with pytest.raises(ValidationError):  # changes need a comment
        services.material_review(actor=reviewer, revision=first, decision="changes")
    services.material_review(
        actor=reviewer, revision=first, decision="changes", comment="Se särskilt bidrag."
    )
    second = services.material_revise(
        actor=submitter, material=material, text="Särskilt bidrag kan ges om ett särskilt behov konstateras."
    )
    with pytest.raises(NotFound):  # the NGO cannot review at all
        services.material_review(actor=submitter, revision=second, decision="approve")
    services.material_review(actor=reviewer, revision=second, decision="approve")
    material.refresh_from_db()
    assert material.approved_revision_id == second.pk
    # an edit after approval needs approval again; participants keep the approved text meanwhile
    third = services.material_revise(actor=submitter, material=material, text="Ny text om bidrag.")
    material.refresh_from_db()
    assert material.approved_revision_id == second.pk and third.status == "submitted"
    # an agency employee who submits material cannot approve it
    agency_writer = actor_for_user(member("editor", agency))
    the_session.activity.co_organisers.add(agency)
    own = services.material_submit(
        actor=agency_writer, session=the_session, organisation_id=agency.pk, title="Egen", text="Hej alla."
    )
    with pytest.raises(PermissionDenied):
        services.material_review(actor=agency_writer, revision=own.revisions.get(), decision="approve")
    codes = list(
        AuditEvent.objects.filter(code__startswith="meetingplace.material").values_list("code", flat=True)
    )
    assert "meetingplace.material.approved" in codes and "meetingplace.material.changes" in codes


@pytest.mark.django_db
def test_only_the_sessions_organisers_submit_material(facts):
    the_session = session()
    outsider_org = organisation()
    with pytest.raises(NotFound):
        services.material_submit(
            actor=actor_for_user(member("editor", outsider_org)),
            session=the_session,
            organisation_id=outsider_org.pk,
            title="X",
            text="Y",
        )
    with pytest.raises(ValidationError) as exc:
        services.material_submit(
            actor=actor_for_user(member("editor", the_session.activity.organiser)),
            session=the_session,
            organisation_id=the_session.activity.organiser_id,
            title="X",
            upload=("a.pdf", b"not a pdf"),
        )
    assert "a.pdf: the file is not a PDF" in exc.value.errors["file"][0]
    assert not MaterialRevision.objects.exists()


@pytest.fixture
def en_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.mark.django_db
def test_the_review_journey_through_the_pages(en_client, facts, agency):
    from samverkan.accounts.tests.helpers import verified_login

    client = en_client
    the_session = session()
    ngo = the_session.activity.organiser
    writer = member("editor", ngo)
    verified_login(client, writer)
    response = client.post(
        f"/meetingplace/sessions/{the_session.pk}/materials/new/",
        {"organisation": ngo.pk, "title": "Bidrag (fiktiv)", "text": "Alla asylsökande får särskilt bidrag."},
    )
    assert response.status_code == 302
    material_url = response["Location"]
    page = client.get(material_url).content.decode()
    assert "data-flagged" in page and 'data-fact="sarskilt-bidrag"' in page
    assert "data-review-submit" not in page  # the submitter has no review form
    assert "Bidrag (fiktiv)" not in client.get(f"/meetingplace/sessions/{the_session.pk}/").content.decode()

    reviewer = member("case_officer", agency)
    verified_login(client, reviewer)
    assert "Bidrag (fiktiv)" in client.get("/meetingplace/review/").content.decode()
    response = client.post(material_url, {"action": "review", "decision": "changes", "comment": ""})
    assert 'id="id_comment_error"' in response.content.decode()
    client.post(material_url, {"action": "review", "decision": "changes", "comment": "Se villkoren."})

    verified_login(client, writer)
    assert "Se villkoren." in client.get(material_url).content.decode()
    client.post(
        material_url, {"action": "revise", "text": "Särskilt bidrag kan ges om ett behov konstateras."}
    )
    assert client.post(material_url, {"action": "review", "decision": "approve"}).status_code == 404

    verified_login(client, reviewer)
    client.post(material_url, {"action": "review", "decision": "approve", "comment": ""})
    public = client.get(f"/meetingplace/sessions/{the_session.pk}/").content.decode()
    assert (
        "Särskilt bidrag kan ges om ett behov konstateras." in public and 'data-reviewed="reviewed"' in public
    )
    assert "Alla asylsökande får särskilt bidrag." not in public
    verified_login(client, member("editor", organisation()))
    assert client.get(material_url).status_code == 404


@pytest.mark.django_db
def test_the_fact_base_is_public_and_edited_by_the_agency(en_client, facts, agency):
    from samverkan.accounts.tests.helpers import verified_login

    body = en_client.get("/meetingplace/facts/").content.decode()
    assert 'data-fact="at-und"' in body and "<form" not in body.split("<main", 1)[1]
    verified_login(en_client, member("editor", agency))
    response = en_client.post(
        "/meetingplace/facts/",
        {
            "key": "halsa",
            "topic": "health_care",
            "text_sv": "Vård som inte kan anstå.",
            "text_en": "Care that cannot wait.",
            "valid_from": "2020-01-01",
        },
    )
    assert (
        response.status_code == 302
        and 'data-fact="halsa"' in en_client.get("/meetingplace/facts/").content.decode()
    )

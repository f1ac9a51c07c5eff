"""Meeting-place pages: the public calendar and session pages with the attribution banner and
registration, the person's own registration page (by the code on the confirmation), and for the
organisers' staff the participant list with check-in and registration on someone's behalf."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from samverkan.accounts.actors import actor_from_request
from samverkan.core.confirm import ask_first
from samverkan.core.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from samverkan.meetingplace import brakes, selectors, services
from samverkan.meetingplace import permissions as perms
from samverkan.meetingplace.forms import (
    ActivityForm,
    CancelSessionForm,
    CheckInForm,
    FactForm,
    MaterialForm,
    OnBehalfForm,
    OverviewForm,
    RegistrationForm,
    ReportForm,
    ReviewForm,
    ReviseForm,
    SessionForm,
)
from samverkan.meetingplace.ical import calendar_for
from samverkan.meetingplace.languages import LANGUAGES, language_choice_label
from samverkan.meetingplace.models import (
    ChecklistItem,
    PlaceKind,
    Rating,
    RegistrationStatus,
    Session,
    SessionStatus,
    TargetGroup,
)
from samverkan.organisations.selectors import organisation_list


def _session(session_id: int) -> Session:
    return selectors.session_get(session_id=session_id)


def calendar(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    code = "".join(request.GET.get("code", "").split()).replace("-", "")[:20]
    code_error = ""
    if code:
        # A participant who has only the code from the door or a note finds their own page here.
        try:
            found = brakes.registration_by_code(code, actor)
        except NotFound:
            code_error = _(
                "No registration has the code %(code)s. Check it against your confirmation, or ask "
                "the organiser of the session."
            ) % {"code": code}
        else:
            return redirect("meetingplace:registration", code=found.code)
    filters = selectors.CalendarFilter(
        group=request.GET.get("group", "")[:30],
        language=request.GET.get("language", "")[:5],
        place=request.GET.get("place", "")[:30],
        organiser=request.GET.get("organiser", "")[:80],
    )
    sessions = list(selectors.calendar(filters=filters))
    return render(
        request,
        "meetingplace/calendar.html",
        {
            "sessions": sessions,
            "filters": filters,
            "groups": TargetGroup.choices,
            "languages": [(c, language_choice_label(c)) for c in LANGUAGES],
            "places": PlaceKind.choices,
            "organisers": selectors.organisers_with_sessions(),
            "code": code,
            "code_error": code_error,
            "can_overview": bool(perms.overview_organisations(actor)),
            "review_waiting": selectors.review_queue_waiting(actor=actor),
        },
    )


def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(session_id)
    actor = actor_from_request(request)
    form = RegistrationForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_create(actor=actor, session=session, **form.cleaned_data)
        except ValidationError as exc:
            form.add_domain_errors(exc)
        except RateLimited:
            form.add_error(
                None,
                _(
                    "Several places in this session have already been taken from your connection. "
                    "Ask the organiser to register you, or cancel a place you do not need."
                ),
            )
            status = 429
        else:
            return redirect("meetingplace:registration", code=registration.code)
    materials = selectors.approved_materials(session)
    return render(
        request,
        "meetingplace/session_detail.html",
        {
            "session": session,
            "activity": session.activity,
            "attribution": selectors.attribution_of(session),
            "form": form,
            "places_left": max(session.capacity - session.confirmed, 0),  # type: ignore[attr-defined]
            "is_staff": perms.can_handle_participants(actor, selectors.organiser_ids(session.activity)),
            "can_plan": perms.can_plan(actor, selectors.organiser_ids(session.activity)),
            "can_cancel": session.status == SessionStatus.PLANNED and session.ends_at > timezone.now(),
            "materials": materials,
            "review_waiting": selectors.review_queue_waiting(actor=actor),
        },
        status=status,
    )


@never_cache
def registration(request: HttpRequest, code: str) -> HttpResponse:
    """The person's own page, reached by the code on their confirmation (no account needed).
    Unknown codes from one address are limited; a real code is never refused for others' guesses.
    Cancelling a place asks first: one tap on a phone must not give the place away."""
    actor = actor_from_request(request)
    found = brakes.registration_by_code(code, actor)
    session = found.session
    own_url = reverse("meetingplace:registration", kwargs={"code": found.code})
    if request.method == "POST":
        if found.status != RegistrationStatus.CANCELLED and (
            question := ask_first(
                request,
                title=_("Cancel your place?"),
                consequence=(
                    _(
                        "You leave the waiting list for “%(title)s” on %(date)s. You cannot undo this: "
                        "to come after all, register again."
                    )
                    if found.status == RegistrationStatus.WAITING
                    else _(
                        "Your place at “%(title)s” on %(date)s goes to the next person on the waiting "
                        "list. You cannot undo this: to come after all, register again while places "
                        "are left."
                    )
                )
                % {
                    "title": session.activity.title_text,
                    "date": date_format(timezone.localtime(session.starts_at), "j F Y"),
                },
                button=_("Yes, cancel my place"),
                cancel_url=own_url,
                cancel_label=_("No, keep my place"),
            )
        ):
            return question
        try:
            services.registration_cancel(actor=actor, registration=found, code=code)
        except ValidationError as exc:
            for ms in exc.errors.values():
                for m in ms:
                    messages.error(request, m)
        else:
            messages.success(request, _("Your place is cancelled."))
        return redirect(own_url)
    return render(
        request,
        "meetingplace/registration.html",
        {
            "registration": found,
            "session": session,
            "activity": session.activity,
            "attribution": selectors.attribution_of(session),
            "position": selectors.waiting_position(found),
            "can_evaluate": found.status == "confirmed" and session.starts_at <= timezone.now(),
            # the whole link, to keep or write down: the code alone leads nowhere
            "own_url": request.build_absolute_uri(own_url),
        },
    )


@login_required
def participants(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(session_id)
    actor = actor_from_request(request)
    if not perms.can_handle_participants(actor, selectors.organiser_ids(session.activity)):
        raise Http404
    check_form = CheckInForm(request.POST if request.POST.get("action") == "check_in" else None)
    behalf_form = OnBehalfForm(request.POST if request.POST.get("action") == "register" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "check_in" and check_form.is_valid():
                done = services.check_in(actor=actor, session=session, code=check_form.cleaned_data["code"])
                messages.success(request, _("%(name)s is checked in.") % {"name": done.name})
                return redirect("meetingplace:participants", session_id=session.pk)
            if request.POST.get("action") == "register" and behalf_form.is_valid():
                added = services.registration_create(
                    actor=actor, session=session, on_behalf=True, **behalf_form.cleaned_data
                )
                messages.success(
                    request,
                    _("%(name)s is registered: %(status)s. Code: %(code)s")
                    % {"name": added.name, "status": added.get_status_display(), "code": added.code},
                )
                return redirect("meetingplace:participants", session_id=session.pk)
        except ValidationError as exc:
            (check_form if request.POST.get("action") == "check_in" else behalf_form).add_domain_errors(exc)
        except (NotFound, PermissionDenied):
            raise Http404 from None
    # Read (and logged) only when the list is shown: a successful action redirects to a fresh read.
    people = selectors.participants_of(actor=actor, session=session, via="page")
    return render(
        request,
        "meetingplace/participants.html",
        {
            "session": session,
            "activity": session.activity,
            "people": people,
            "check_form": check_form,
            "behalf_form": behalf_form,
            "confirmed": sum(1 for p in people if p.status == "confirmed"),
            "present": sum(1 for p in people if p.checked_in_at),
        },
    )


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    allowed = [org for org in actor.organisation_ids if perms.can_create_activity(actor, org)]
    if not allowed:
        raise DjangoPermissionDenied
    form = ActivityForm(request.POST or None, organisers=organisation_list(ids=allowed))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with_session = services.activity_publish(
                actor=actor,
                organiser_id=data["organiser"].pk,
                title={k: data[f"title_{k}"] for k in ("sv", "en", "ar")},
                description={k: data[f"description_{k}"] for k in ("sv", "en", "ar")},
                target_groups=data["target_groups"],
                languages=data["languages"].split(";"),
                interpretation=data["interpretation"].split(";"),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place_kind=data["place_kind"],
                address=data["address"],
                capacity=data["capacity"],
            )
        except ValidationError as exc:
            form.add_domain_errors(exc, {"title": "title_sv", "description": "description_sv"})
        else:
            messages.success(request, _("The activity and its first session are published in the calendar."))
            return redirect("meetingplace:session_detail", session_id=with_session.pk)
    return render(request, "meetingplace/activity_new.html", {"form": form})


def ical(request: HttpRequest, scope: str, key: str) -> HttpResponse:
    """A calendar file of one session, an activity's sessions, or an organiser's sessions."""
    sessions, name = selectors.calendar_feed(
        scope=scope, key=key if scope == "organiser" else _int_or_404(key)
    )
    body = calendar_for(
        sessions.order_by("starts_at"),
        name=name,
        base_url=request.build_absolute_uri("/"),
        language=(translation.get_language() or "sv")[:2],
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{scope}-{key}.ics"'
    return response


def _int_or_404(value: str) -> int:
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise Http404
    return int(value)


@login_required
def plan(request: HttpRequest, session_id: int) -> HttpResponse:
    """The common framework for one session: the checklist before, the closing report after, and
    what participants answered."""
    session = _session(session_id)
    actor = actor_from_request(request)
    organisers = selectors.organiser_ids(session.activity)
    can_plan = perms.can_plan(actor, organisers)
    can_report = perms.can_handle_participants(actor, organisers)
    if not (can_plan or can_report):
        raise Http404
    report = selectors.closing_report_of(session)
    report_form = ReportForm(
        request.POST if request.POST.get("action") == "report" else None,
        initial=(
            {
                "attended": report.attended,
                "organisations_present": list(report.organisations_present.values_list("pk", flat=True)),
                "questions": report.questions,
                "notes": report.notes,
            }
            if report
            else {"attended": session.registrations.filter(checked_in_at__isnull=False).count()}
        ),
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "checklist" and can_plan:
                services.checklist_save(
                    actor=actor,
                    session=session,
                    entries={
                        item: (request.POST.get(f"done_{item}") == "on", request.POST.get(f"note_{item}", ""))
                        for item in ChecklistItem.values
                    },
                )
                messages.success(request, _("The checklist is saved."))
                return redirect("meetingplace:plan", session_id=session.pk)
            if request.POST.get("action") == "report" and can_report and report_form.is_valid():
                data = report_form.cleaned_data
                services.report_save(
                    actor=actor,
                    session=session,
                    attended=data["attended"],
                    organisation_ids=[o.pk for o in data["organisations_present"]],
                    questions=data["questions"],
                    notes=data["notes"],
                )
                messages.success(request, _("The closing report is saved."))
                return redirect("meetingplace:plan", session_id=session.pk)
        except ValidationError as exc:
            if request.POST.get("action") == "report":
                report_form.add_domain_errors(exc)
            else:
                for ms in exc.errors.values():
                    for m in ms:
                        messages.error(request, m)
    entries = {e.item: e for e in session.checklist.all()}
    evaluation = selectors.evaluation_of(session)
    return render(
        request,
        "meetingplace/plan.html",
        {
            "session": session,
            "activity": session.activity,
            "checklist": [(value, label, entries.get(value)) for value, label in ChecklistItem.choices],
            "can_plan": can_plan,
            "can_report": can_report,
            "report_form": report_form,
            "started": session.starts_at <= timezone.now(),
            "evaluation": evaluation,
            "ratings": Rating.choices,
            "review_waiting": selectors.review_queue_waiting(actor=actor),
        },
    )


def evaluation(request: HttpRequest, session_id: int) -> HttpResponse:
    """The participants' short questions, with pictograms, in their language; no account."""
    session = _session(session_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.evaluation_submit(
                session=session,
                understood=_int_or_zero(request.POST.get("understood", "")),
                useful=_int_or_zero(request.POST.get("useful", "")),
                language=(translation.get_language() or "")[:2],
                code=request.POST.get("code", "")[:12],
            )
        except ValidationError as exc:
            errors = exc.errors
        else:
            return render(request, "meetingplace/evaluation_thanks.html", {"session": session})
    return render(
        request,
        "meetingplace/evaluation.html",
        {
            "session": session,
            "activity": session.activity,
            "attribution": selectors.attribution_of(session),
            "ratings": [(value, label, PICTOGRAMS[value]) for value, label in Rating.choices],
            "errors": errors,
            "code": request.GET.get("code", "")[:12],
        },
    )


PICTOGRAMS = {1: "☹", 2: "😐", 3: "☺"}


def _int_or_zero(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 3 else 0


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    allowed = perms.overview_organisations(actor)
    if not allowed:
        raise Http404
    today = timezone.localdate()
    form = OverviewForm(
        request.GET or None,
        organisers=organisation_list(ids=allowed),
        initial={"start": today.replace(day=1), "end": today},
    )
    rows = None
    if form.is_valid():
        data = form.cleaned_data
        rows = selectors.overview(
            actor=actor, organiser_id=data["organiser"].pk, start=data["start"], end=data["end"]
        )
    return render(
        request,
        "meetingplace/overview.html",
        {
            "form": form,
            "rows": rows,
            # the threshold the withheld figures were withheld under, for the explanation
            "withheld_under": next(
                (r.evaluation.threshold for r in rows or () if r.evaluation.withheld), None
            ),
            "review_waiting": selectors.review_queue_waiting(actor=actor),
        },
    )


# --- Material and review ----------------------------------------------------------------------------
def _upload(form: Any) -> tuple[str, bytes] | None:
    upload = form.cleaned_data.get("file")
    if not upload:
        return None
    if upload.size > 10 * 1024 * 1024:
        raise ValidationError({"file": [_("The file is larger than 10 MB.")]})
    return upload.name, upload.read()


@login_required
def material_new(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(session_id)
    actor = actor_from_request(request)
    allowed = [org for org in selectors.organiser_ids(session.activity) if perms.can_plan(actor, [org])]
    if not allowed:
        raise Http404
    form = MaterialForm(
        request.POST or None, request.FILES or None, organisations=organisation_list(ids=allowed)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            material = services.material_submit(
                actor=actor,
                session=session,
                organisation_id=data["organisation"].pk,
                title=data["title"],
                text=data["text"],
                upload=_upload(form),
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("The material is sent to the agency for review."))
            return redirect("meetingplace:material", material_id=material.pk)
    return render(
        request,
        "meetingplace/material_new.html",
        {"form": form, "session": session, "activity": session.activity},
    )


@login_required
def material(request: HttpRequest, material_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    found = selectors.material_get_for(actor=actor, material_id=material_id)
    latest = found.revisions.order_by("-number").first()
    is_submitter_org = perms.can_plan(actor, [found.organisation_id])
    can_review = (
        perms.can_review(actor, services.agency_id())
        and latest is not None
        and latest.status == "submitted"
        and latest.submitted_by_id != actor.user_id
    )
    review_form = ReviewForm(request.POST if request.POST.get("action") == "review" else None)
    revise_form = ReviseForm(
        request.POST if request.POST.get("action") == "revise" else None,
        request.FILES if request.POST.get("action") == "revise" else None,
        initial={"text": latest.text if latest else ""},
    )
    if request.method == "POST" and latest is not None:
        try:
            if request.POST.get("action") == "review" and review_form.is_valid():
                services.material_review(
                    actor=actor,
                    revision=latest,
                    decision=review_form.cleaned_data["decision"],
                    comment=review_form.cleaned_data["comment"],
                )
                messages.success(request, _("The decision is saved and the organisation can see it."))
                return redirect("meetingplace:material", material_id=found.pk)
            if request.POST.get("action") == "revise" and is_submitter_org and revise_form.is_valid():
                upload = _upload(revise_form)
                text = revise_form.cleaned_data["text"]
                if upload is not None and text.strip() == latest.text.strip():
                    # the form comes filled with the current text: left as it was, nothing was typed
                    text = ""
                services.material_revise(actor=actor, material=found, text=text, upload=upload)
                messages.success(request, _("The new version is sent for review."))
                return redirect("meetingplace:material", material_id=found.pk)
        except ValidationError as exc:
            (review_form if request.POST.get("action") == "review" else revise_form).add_domain_errors(exc)
        except (PermissionDenied, NotFound):
            raise Http404 from None
    return render(
        request,
        "meetingplace/material.html",
        {
            "material": found,
            "latest": latest,
            "findings": selectors.findings_with_facts(latest) if latest else [],
            "revisions": found.revisions.order_by("-number").select_related("reviewed_by"),
            "can_review": can_review,
            "is_submitter_org": is_submitter_org,
            "review_form": review_form,
            "revise_form": revise_form,
            "session": found.session,
            "review_waiting": selectors.review_queue_waiting(actor=actor),
        },
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    revisions = list(selectors.review_queue_for(actor=actor))
    return render(request, "meetingplace/review_queue.html", {"revisions": revisions})


def facts(request: HttpRequest) -> HttpResponse:
    """The agency's authoritative statements: public, so anyone can check what partners say."""
    actor = actor_from_request(request)
    can_edit = perms.can_edit_facts(actor, services.agency_id()) and actor.is_authenticated
    form = FactForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.fact_save(actor=actor, **form.cleaned_data)
            except ValidationError as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, _("The statement is saved."))
                return redirect("meetingplace:facts")
    return render(
        request,
        "meetingplace/facts.html",
        {
            "facts": selectors.facts_current(),
            "form": form,
            "review_waiting": selectors.review_queue_waiting(actor=actor),
        },
    )


def poster(request: HttpRequest, session_id: int) -> HttpResponse:
    """A printable poster: the title in every language it has, time and place, who arranges it,
    and a QR code to the session page where people register."""
    import qrcode
    import qrcode.image.svg

    session = _session(session_id)
    url = request.build_absolute_uri(f"/meetingplace/sessions/{session.pk}/")
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return render(
        request,
        "meetingplace/poster.html",
        {
            "session": session,
            "activity": session.activity,
            "attribution": selectors.attribution_of(session),
            "titles": [(lang, text) for lang, text in session.activity.title.items()],
            "qr": mark_safe(svg[svg.find("<svg") :]),  # noqa: S308 - generated by qrcode from our own URL
            "url": url,
        },
    )


@login_required
def session_new(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Another date in an activity's series."""
    actor = actor_from_request(request)
    activity = selectors.activity_get(activity_id=activity_id)
    if not perms.can_plan(actor, selectors.organiser_ids(activity)):
        raise Http404
    latest = activity.sessions.order_by("-starts_at").first()
    initial = (
        {"place_kind": latest.place_kind, "address": latest.address, "capacity": latest.capacity}
        if latest
        else {}
    )
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.session_create(actor=actor, activity=activity, **form.cleaned_data)
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("The new date is published in the calendar."))
            return redirect("meetingplace:session_detail", session_id=created.pk)
    return render(request, "meetingplace/session_new.html", {"form": form, "activity": activity})


@login_required
def session_cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    """The organisers cancel a date: everyone registered with an e-mail address is told why."""
    session = _session(session_id)
    actor = actor_from_request(request)
    if not perms.can_plan(actor, selectors.organiser_ids(session.activity)):
        raise Http404
    if session.status == SessionStatus.CANCELLED:
        return redirect("meetingplace:session_detail", session_id=session.pk)
    form = CancelSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.session_cancel(actor=actor, session=session, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(
                request,
                _("The session is cancelled. %(emailed)s people were told by e-mail.")
                % {"emailed": done.emailed},
            )
            if done.to_call:
                messages.warning(
                    request,
                    _(
                        "%(n)s people have no e-mail address: reach them another way. Their phone "
                        "numbers are in the participant list, for the organisers' coordinators and "
                        "case officers."
                    )
                    % {"n": done.to_call},
                )
                if perms.can_handle_participants(actor, selectors.organiser_ids(session.activity)):
                    return redirect("meetingplace:participants", session_id=session.pk)
            return redirect("meetingplace:session_detail", session_id=session.pk)
    registered = session.registrations.exclude(status="cancelled")
    return render(
        request,
        "meetingplace/session_cancel.html",
        {
            "form": form,
            "session": session,
            "activity": session.activity,
            "registered": registered.count(),
            "without_email": registered.filter(email="").count(),
        },
    )

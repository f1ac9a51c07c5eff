"""Pages for resettlement: the public needs taxonomy; for the agency's placement officers the
reception numbers, cases and placement runs; for receiving municipalities their packets and
follow-up; and the flagged-against-observed dashboard."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samverkan.accounts.actors import actor_from_request
from samverkan.core.actor import Actor
from samverkan.core.errors import ValidationError
from samverkan.resettlement import permissions as perms
from samverkan.resettlement import selectors, services
from samverkan.resettlement.forms import (
    ImportForm,
    OverrideForm,
    ReceptionForm,
    RunForm,
    SubcodeForm,
    TaxonomyEntryForm,
    this_year,
)
from samverkan.resettlement.models import PlacementRun, RunStatus, Service
from samverkan.resettlement.optimizer import NEED_CODES


def _officer(request: HttpRequest) -> tuple[Actor, perms.Scope]:
    actor = actor_from_request(request)
    scope = selectors.scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise Http404
    return actor, scope


def _run(request: HttpRequest, run_id: int) -> tuple[Actor, PlacementRun]:
    actor = actor_from_request(request)
    return actor, selectors.run_get_for(actor=actor, run_id=run_id)


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    for ms in exc.errors.values():
        for m in ms:
            messages.error(request, m)


def _year_param(request: HttpRequest) -> int:
    """The year asked for, else the latest year with cases or reception numbers, else this year."""
    known = selectors.years_with_data()
    fallback = known[0] if known else this_year()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return fallback
    return year if services.MIN_YEAR <= year <= services.MAX_YEAR else fallback


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    scope = selectors.scope_for(actor)
    if not perms.can_use(actor, scope):
        raise DjangoPermissionDenied
    year = _year_param(request)
    context: dict[str, Any] = {
        "year": year,
        "years": sorted({*selectors.years_with_data(), year, this_year()}, reverse=True),
        "is_officer": perms.is_officer(actor, scope),
        "served": sorted(perms.municipalities_served(actor, scope)),
    }
    if context["is_officer"]:
        cases, open_cases = selectors.case_counts_for(actor=actor, year=year)
        context.update(
            {
                "runs": selectors.run_list_for(actor=actor).filter(year=year)[:20],
                "cases": cases,
                "open_cases": open_cases,
                "receptions": selectors.receptions_for(actor=actor, year=year).count(),
                "totals": selectors.reception_totals(year),
                "run_form": RunForm(initial={"time_limit": 30}),
            }
        )
    if context["served"]:
        # Someone may be both a placement officer and a municipality's staff: both parts show.
        context["packets"] = selectors.packet_cases_for(actor=actor).count()
    return render(request, "resettlement/home.html", context)


# --- Taxonomy (public) --------------------------------------------------------------------------
def taxonomy(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    current = selectors.taxonomy_current()
    number = request.GET.get("version", "")
    version = (
        selectors.taxonomy_version(int(number))
        if number.isascii() and number.isdigit() and len(number) <= 9
        else current
    )
    entries = list(version.entries.order_by("position"))
    return render(
        request,
        "resettlement/taxonomy.html",
        {
            "version": version,
            "current": current,
            "needs": [e for e in entries if e.kind != "category"],
            "categories": [e for e in entries if e.kind == "category"],
            "versions": selectors.taxonomy_versions()[:50],
            "can_edit": perms.can_edit_taxonomy(actor, selectors.scope_for(actor)) and version == current,
        },
    )


@login_required
def taxonomy_edit(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_from_request(request)
    if not perms.can_edit_taxonomy(actor, selectors.scope_for(actor)):
        raise Http404
    entry = selectors.entries_of(selectors.taxonomy_current()).get(code)
    if entry is None:
        raise Http404
    fields = ("label_sv", "label_en", "definition_sv", "definition_en", "services")
    initial = {**{k: getattr(entry, k) for k in fields}, "base_version": entry.version.number}
    form = TaxonomyEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.taxonomy_update(actor=actor, code=code, **form.cleaned_data)
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("Saved as version %(n)s of the taxonomy.") % {"n": version.number})
            return redirect("resettlement:taxonomy")
    return render(
        request,
        "resettlement/taxonomy_edit.html",
        {"entry": entry, "form": form, "services": Service.choices},
    )


@login_required
def taxonomy_add(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    if not perms.can_edit_taxonomy(actor, selectors.scope_for(actor)):
        raise Http404
    current = selectors.taxonomy_current()
    parents = [
        (e.code, f"{e.code} {e.label}") for e in current.entries.filter(kind="need").order_by("position")
    ]
    form = SubcodeForm(
        request.POST or None,
        parents=parents,
        initial={"base_version": current.number, "parent": request.GET.get("parent")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.taxonomy_add(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("Saved as version %(n)s of the taxonomy.") % {"n": version.number})
            return redirect("resettlement:taxonomy")
    return render(
        request, "resettlement/taxonomy_edit.html", {"entry": None, "form": form, "services": Service.choices}
    )


# --- Reception ----------------------------------------------------------------------------------
@login_required
def reception_list(request: HttpRequest, year: int) -> HttpResponse:
    actor = actor_from_request(request)
    scope = selectors.scope_for(actor)
    if not perms.can_use(actor, scope):
        raise Http404
    officer = perms.is_officer(actor, scope)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not officer:
            raise Http404
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                n = services.reception_import(
                    actor=actor, year=year, data=upload.read(), filename=upload.name
                )
            except ValidationError as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(
                    request, _("%(n)s reception numbers imported for %(year)s.") % {"n": n, "year": year}
                )
                return redirect("resettlement:reception_list", year=year)
    receptions = list(selectors.receptions_for(actor=actor, year=year))
    have = {r.municipality_id for r in receptions}
    served = perms.municipalities_served(actor, scope) - have
    missing = [] if officer else selectors.municipalities(served)
    used = selectors.placed_persons(year)
    return render(
        request,
        "resettlement/reception_list.html",
        {
            "year": year,
            "rows": [(r, used.get(r.municipality_id, 0)) for r in receptions],
            "form": form,
            "is_officer": officer,
            "missing": missing,
            "totals": selectors.reception_totals(year) if officer else None,
        },
    )


@login_required
def reception_edit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    actor = actor_from_request(request)
    if not perms.can_edit_reception(actor, selectors.scope_for(actor), code):
        raise Http404
    municipality, current = selectors.reception_of(code=code, year=year)
    initial = (
        {
            "capacity_persons": current.capacity_persons,
            "large_dwellings": current.large_dwellings,
            "need_slots": ";".join(f"{k}={v}" for k, v in sorted(current.need_slots.items())),
            "languages": ";".join(current.languages),
        }
        if current
        else {}
    )
    form = ReceptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reception_set(
                actor=actor,
                municipality_code=code,
                year=year,
                capacity_persons=data["capacity_persons"],
                large_dwellings=data["large_dwellings"],
                need_slots=services.parse_slots_text(data["need_slots"]),
                languages=data["languages"].split(";"),
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("The reception for %(year)s is saved.") % {"year": year})
            return redirect("resettlement:reception_list", year=year)
    return render(
        request,
        "resettlement/reception_edit.html",
        {"form": form, "municipality": municipality, "year": year, "need_codes": NEED_CODES},
    )


# --- Cases --------------------------------------------------------------------------------------
@login_required
def case_list(request: HttpRequest, year: int) -> HttpResponse:
    actor, _scope = _officer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            n = services.case_import(actor=actor, year=year, data=upload.read(), filename=upload.name)
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("%(n)s cases imported for %(year)s.") % {"n": n, "year": year})
            return redirect("resettlement:case_list", year=year)
    cases = selectors.case_list_for(actor=actor, year=year)
    return render(request, "resettlement/case_list.html", {"year": year, "cases": cases, "form": form})


# --- Runs ---------------------------------------------------------------------------------------
@login_required
@require_POST
def run_start(request: HttpRequest, year: int) -> HttpResponse:
    actor, _scope = _officer(request)
    form = RunForm(request.POST)
    back = redirect(f"{reverse('resettlement:home')}?year={year}")
    if not form.is_valid():
        for field_errors in form.errors.values():
            for m in field_errors:
                messages.error(request, str(m))
        return back
    try:
        run = services.run_start(actor=actor, year=year, time_limit=form.cleaned_data["time_limit"])
    except ValidationError as exc:
        _flash(request, exc)
        return back
    return redirect("resettlement:run_detail", run_id=run.pk)


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    actor, run = _run(request, run_id)
    context: dict[str, Any] = {"run": run}
    if run.status in (RunStatus.PROPOSED, RunStatus.APPROVED, RunStatus.DISCARDED):
        proposals = selectors.proposals_for(actor=actor, run=run)  # logged
        per_municipality: dict[str, dict[str, Any]] = {}
        for p in proposals:
            if p.municipality is not None:
                row = per_municipality.setdefault(
                    p.municipality.code, {"name": p.municipality.name, "cases": 0, "persons": 0}
                )
                row["cases"] += 1
                row["persons"] += p.size  # type: ignore[attr-defined]  # annotated
        context.update(
            {
                "proposals": proposals,
                "unplaced": [p for p in proposals if p.municipality_id is None],
                "overridden": [p for p in proposals if p.overridden],
                "per_municipality": sorted(per_municipality.items()),
                "placed_count": sum(1 for p in proposals if p.municipality_id),
            }
        )
    return render(request, "resettlement/run_detail.html", context)


@login_required
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    _actor, run = _run(request, run_id)
    response = render(request, "resettlement/_run_status.html", {"run": run})
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        response["HX-Refresh"] = "true"
    return response


def binding_label(family: str) -> str:
    if family.startswith("need_slots:"):
        return _("service places for %(code)s") % {"code": family.split(":", 1)[1]}
    return {"capacity_persons": _("reception number"), "large_dwellings": _("large dwellings")}.get(
        family, family
    )


@login_required
def proposal_detail(request: HttpRequest, run_id: int, reference: str) -> HttpResponse:
    actor, run = _run(request, run_id)
    proposal = selectors.proposals_of(run).filter(case__reference=reference).first()
    if proposal is None:
        raise Http404
    form = OverrideForm(request.POST or None, initial={"municipality": proposal.municipality_id or ""})
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_override(
                actor=actor,
                run=run,
                reference=reference,
                municipality_code=data["municipality"],
                note=data["note"],
                confirm=data["confirm"],
            )
        except ValidationError as exc:
            warnings = exc.errors.pop("confirm", [])
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("Case %(ref)s moved.") % {"ref": reference})
            return redirect("resettlement:run_detail", run_id=run.pk)
    case = proposal.case
    persons = selectors.case_persons_for(actor=actor, run=run, case=case)  # logged
    return render(
        request,
        "resettlement/proposal_detail.html",
        {
            "run": run,
            "proposal": proposal,
            "case": case,
            "persons": persons,
            "binding": [binding_label(b) for b in proposal.binding],
            "form": form,
            "warnings": warnings,
            "editable": run.status == RunStatus.PROPOSED,
        },
    )


@login_required
@require_POST
def run_approve(request: HttpRequest, run_id: int) -> HttpResponse:
    actor, run = _run(request, run_id)
    try:
        services.run_approve(actor=actor, run=run)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("The placement is approved; the municipalities can read their packets."))
    return redirect("resettlement:run_detail", run_id=run.pk)


@login_required
@require_POST
def run_discard(request: HttpRequest, run_id: int) -> HttpResponse:
    actor, run = _run(request, run_id)
    try:
        services.run_discard(actor=actor, run=run)
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("resettlement:run_detail", run_id=run.pk)


# --- Packets and follow-up ------------------------------------------------------------------------
@login_required
def packet_list(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    scope = selectors.scope_for(actor)
    if not perms.municipalities_served(actor, scope):
        raise Http404
    cases = list(selectors.packet_cases_for(actor=actor))
    selectors.packets_listed(actor=actor, cases=cases)
    return render(request, "resettlement/packet_list.html", {"cases": cases})


def _packet_case(request: HttpRequest, reference: str) -> tuple[Actor, Any]:
    actor = actor_from_request(request)
    return actor, selectors.packet_case_for(actor=actor, reference=reference)


@login_required
def packet_detail(request: HttpRequest, reference: str) -> HttpResponse:
    actor, case = _packet_case(request, reference)
    printing = request.GET.get("print") == "1"
    context = selectors.packet_for(actor=actor, case=case, how="print" if printing else "page")
    context["printing"] = printing
    context["can_follow_up"] = perms.can_record_followup(actor, selectors.scope_for(actor), case.placed_in_id)
    return render(request, "resettlement/packet_detail.html", context)


@login_required
def followup(request: HttpRequest, reference: str) -> HttpResponse:
    actor, case = _packet_case(request, reference)
    if not perms.can_record_followup(actor, selectors.scope_for(actor), case.placed_in_id):
        raise Http404
    version = selectors.placement_taxonomy(case)
    needs = list(version.entries.exclude(kind="category").order_by("position"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        observed = {n: request.POST.getlist(f"person_{n}") for n in selectors.person_positions(case)}
        try:
            services.observation_record(actor=actor, case=case, observed=observed)
        except ValidationError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("The observed needs are saved."))
            return redirect("resettlement:packet_detail", reference=case.reference)
    # Read (and logged) only when the form is shown: a successful save redirects instead.
    persons = selectors.followup_persons_for(actor=actor, case=case)
    rows = [
        {
            "person": p,
            "observed": set(getattr(getattr(p, "observation", None), "needs", []) or []),
            "errors": errors.get(f"person_{p.position}", []),
        }
        for p in persons
    ]
    return render(
        request,
        "resettlement/followup.html",
        {"case": case, "rows": rows, "needs": needs, "errors": errors.get("__all__", [])},
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    prevalence = selectors.prevalence(actor=actor)
    return render(request, "resettlement/dashboard.html", {"prevalence": prevalence, "rows": prevalence.rows})

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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from samverkan.accounts.actors import actor_from_request
from samverkan.core.actor import Actor
from samverkan.core.confirm import ask_first, confirmed
from samverkan.core.errors import ValidationError
from samverkan.meetingplace.languages import language_name
from samverkan.resettlement import explain, selectors, services
from samverkan.resettlement import permissions as perms
from samverkan.resettlement.forms import (
    ImportForm,
    OverrideForm,
    ReceptionForm,
    RunForm,
    SubcodeForm,
    TaxonomyEntryForm,
    this_year,
)
from samverkan.resettlement.models import PlacementRun, Priority, RunStatus, Service
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
    fields = (
        "label_sv",
        "label_en",
        "label_ar",
        "definition_sv",
        "definition_en",
        "definition_ar",
        "services",
    )
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
    rows = []
    cases = selectors.case_list_for(actor=actor, year=year)  # logged
    names = selectors.names_for(needs={code for c in cases for code in selectors.case_need_codes(c)})
    for c in cases:
        rows.append(
            {
                "case": c,
                "needs": [names.need(code) for code in selectors.case_need_codes(c)],
                "run_id": selectors.case_proposal_run(c),
            }
        )
    return render(request, "resettlement/case_list.html", {"year": year, "rows": rows, "form": form})


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


def _by_priority(proposals: list[Any]) -> list[dict[str, Any]]:
    """Cases placed of each priority the run has (emergency first), as the proposal stands; none
    when every case is of normal priority."""
    if all(p.case.priority == Priority.NORMAL for p in proposals):
        return []
    rows = [
        {
            "code": value,
            "label": label,
            "placed": sum(1 for p in proposals if p.case.priority == value and p.municipality_id),
            "total": sum(1 for p in proposals if p.case.priority == value),
        }
        for value, label in Priority.choices
    ]
    return [row for row in rows if row["total"]]


def _run_quality(run: PlacementRun, proposals: list[Any]) -> dict[str, Any]:
    """The run's numbers for people: how good the placement is, and the solver's own numbers for
    the technical details (never the objective, which a penalty per unplaced case makes negative)."""
    stats = run.stats if isinstance(run.stats, dict) else {}
    score = stats.get("score")
    if not isinstance(score, int | float):  # runs made before the score was kept
        score = sum(p.score for p in proposals if p.suggested_id is not None)
    bound = run.lp_bound
    if bound is not None and isinstance(stats.get("bound"), int | float):
        bound = min(bound, float(stats["bound"]))
    found = explain.quality(objective=run.objective, bound=bound, score=float(score))
    best_score = (
        float(score) + max(bound - run.objective, 0.0)
        if found is not None
        and not found.more_cases_possible
        and bound is not None
        and run.objective is not None
        else None
    )
    return {"quality": found, "score": float(score), "best_score": best_score}


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    actor, run = _run(request, run_id)
    context: dict[str, Any] = {"run": run, "step_label": explain.step_label(run.step, run.get_step_display())}
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
        unplaced = [p for p in proposals if p.municipality_id is None]
        reasons = {p.pk: explain.stored_reasons(p.reasons) for p in unplaced}
        reason_needs, reason_places = explain.mentioned(r for rs in reasons.values() for r in rs)
        case_needs = {p.pk: selectors.case_need_codes(p.case) for p in proposals}
        names = selectors.names_for(
            needs={c for codes in case_needs.values() for c in codes} | reason_needs,
            municipalities=reason_places,
            version=run.taxonomy_version,
        )
        context.update(
            {
                "rows": [
                    {"proposal": p, "needs": [names.need(c) for c in case_needs[p.pk]]} for p in proposals
                ],
                "proposals": proposals,
                "unplaced": [
                    {
                        "proposal": p,
                        "reasons": [explain.reason_text(r, names) for r in reasons[p.pk]]
                        or [
                            _("Left unplaced by hand.")
                            if p.overridden
                            # a stored reason no longer understood still says the case is blocked
                            else explain.stored_text(None, names)
                        ],
                    }
                    for p in unplaced
                ],
                "overridden": [p for p in proposals if p.overridden],
                "per_municipality": sorted(per_municipality.items(), key=lambda item: item[1]["name"]),
                "placed_count": sum(1 for p in proposals if p.municipality_id),
                "persons_total": sum(p.size for p in proposals),  # type: ignore[attr-defined]
                "persons_placed": sum(p.size for p in proposals if p.municipality_id),  # type: ignore[attr-defined]
                "by_priority": _by_priority(proposals),
                **_run_quality(run, proposals),
            }
        )
    return render(request, "resettlement/run_detail.html", context)


@login_required
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    _actor, run = _run(request, run_id)
    response = render(
        request,
        "resettlement/_run_status.html",
        {"run": run, "step_label": explain.step_label(run.step, run.get_step_display())},
    )
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        response["HX-Refresh"] = "true"
    return response


def _left_label(option: selectors.MoveOption, slots: list[str], large: bool, names: explain.Names) -> str:
    """A municipality in the move list: its name and what it has left for this case."""
    left = option.left
    if left is None:
        return option.name
    parts = [
        ngettext("%(n)s place left", "%(n)s places left", left.capacity_persons)
        % {"n": left.capacity_persons}
    ]
    if large:
        parts.append(
            ngettext("%(n)s large dwelling", "%(n)s large dwellings", left.large_dwellings)
            % {"n": left.large_dwellings}
        )
    for code in slots:
        parts.append(
            _("%(need)s: %(n)s service places")
            % {"need": names.need(code), "n": left.need_slots.get(code, 0)}
        )
    return f"{option.name} – {'; '.join(parts)}"


def _move_choices(
    run: PlacementRun, case: Any, options: list[selectors.MoveOption], names: explain.Names
) -> list[Any]:
    """The move list: not placed, then the municipalities grouped by whether the case fits there
    (with what each has left), then those without a reception number for the year, by name."""
    own = selectors.case_demand(case)
    slots = sorted(own.need_slots)
    large = own.large_dwellings > 0
    fits = [(o.code, _left_label(o, slots, large, names)) for o in options if o.left and not o.warnings]
    breaks = [(o.code, _left_label(o, slots, large, names)) for o in options if o.left and o.warnings]
    without = [(o.code, o.name) for o in options if o.left is None]
    groups: list[Any] = [(OverrideForm.UNPLACED, _("Not placed (leave the case unplaced)"))]
    for label, choices in (
        (_("Room for this case"), fits),
        (_("Moving the case here breaks a limit"), breaks),
        (_("No reception number for %(year)s") % {"year": run.year}, without),
    ):
        if choices:
            groups.append((label, choices))
    return groups


@login_required
def proposal_detail(request: HttpRequest, run_id: int, reference: str) -> HttpResponse:
    actor, run = _run(request, run_id)
    proposal = selectors.proposals_of(run).filter(case__reference=reference).first()
    if proposal is None:
        raise Http404
    case = proposal.case
    editable = run.status == RunStatus.PROPOSED
    options = selectors.move_options(run, proposal) if editable else []
    reasons = explain.stored_reasons(proposal.reasons)
    reason_needs, reason_places = explain.mentioned(reasons)
    persons = selectors.case_persons_for(actor=actor, run=run, case=case)  # logged
    binding_needs = {b.split(":", 1)[1] for b in proposal.binding if b.startswith("need_slots:")}
    names = selectors.names_for(
        needs={c for p in persons for c in p.needs} | reason_needs | binding_needs | set(NEED_CODES),
        municipalities=reason_places | {o.code for o in options},
        version=run.taxonomy_version,
    )
    form = OverrideForm(
        request.POST or None,
        choices=_move_choices(run, case, options, names),
        initial={"municipality": proposal.municipality_id or OverrideForm.UNPLACED},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code = None if data["municipality"] == OverrideForm.UNPLACED else data["municipality"]
        warnings = next((o.warnings for o in options if o.code == code), [])
        if warnings and code != proposal.municipality_id:
            question = ask_first(
                request,
                title=_("Move case %(ref)s to %(name)s even though it breaks a limit?")
                % {"ref": reference, "name": names.municipality(code)},
                consequence=" ".join(
                    [
                        _("The move breaks:"),
                        *(explain.reason_text(w, names) for w in warnings),
                        _(
                            "The warnings are kept with the move. You can move the case again until "
                            "the placement is approved."
                        ),
                    ]
                ),
                button=_("Move the case anyway"),
                cancel_url=request.path,
            )
            if question is not None:
                return question
        try:
            services.proposal_override(
                actor=actor,
                run=run,
                reference=reference,
                municipality_code=code or "",
                note=data["note"],
                confirm=confirmed(request),
            )
        except ValidationError as exc:
            for message in exc.errors.pop("confirm", []):  # the limits changed meanwhile
                form.add_error("municipality", message)
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("Case %(ref)s moved.") % {"ref": reference})
            return redirect("resettlement:run_detail", run_id=run.pk)
    return render(
        request,
        "resettlement/proposal_detail.html",
        {
            "run": run,
            "proposal": proposal,
            "case": case,
            "placed_by_tool": proposal.suggested_id is not None,
            "persons": [
                {
                    "person": p,
                    "needs": [names.need(c) for c in p.needs],
                    "languages": [language_name(c) for c in p.languages],
                }
                for p in persons
            ],
            "reasons": [explain.reason_text(r, names) for r in reasons]
            or (
                [explain.stored_text(None, names)]
                if proposal.suggested_id is None and proposal.reasons
                else []
            ),
            "binding": [explain.binding_text(b, names) for b in proposal.binding],
            "warnings": [explain.stored_text(w, names) for w in proposal.override_warnings],
            "form": form,
            "editable": editable,
        },
    )


@login_required
@require_POST
def run_approve(request: HttpRequest, run_id: int) -> HttpResponse:
    actor, run = _run(request, run_id)
    back = reverse("resettlement:run_detail", args=[run.pk])
    question = ask_first(
        request,
        title=_("Approve the placement?"),
        consequence=_(
            "Every case of the run is placed at once, and the receiving municipalities can read their "
            "packets. An approved placement cannot be changed or undone."
        ),
        button=_("Approve the placement"),
        cancel_url=back,
        warning=False,
    )
    if question is not None:
        return question
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
    question = ask_first(
        request,
        title=_("Discard the placement?"),
        consequence=_(
            "The proposal and every move made by hand in it are set aside for good. To place the cases, "
            "start a new run."
        ),
        button=_("Discard the placement"),
        cancel_url=reverse("resettlement:run_detail", args=[run.pk]),
    )
    if question is not None:
        return question
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
    return render(request, "resettlement/packet_list.html", {"cases": cases, "today": timezone.localdate()})


def _packet_case(request: HttpRequest, reference: str) -> tuple[Actor, Any]:
    actor = actor_from_request(request)
    return actor, selectors.packet_case_for(actor=actor, reference=reference)


@login_required
def packet_detail(request: HttpRequest, reference: str) -> HttpResponse:
    actor, case = _packet_case(request, reference)
    scope = selectors.scope_for(actor)
    printing = request.GET.get("print") == "1"
    context = selectors.packet_for(actor=actor, case=case, how="print" if printing else "page")
    context["printing"] = printing
    context["can_follow_up"] = perms.can_record_followup(actor, scope, case.placed_in_id)
    context["followup_opens"] = selectors.followup_opens(case)
    # The way back: the list of packets for the municipality's staff, the placement run for the
    # agency's officers (the predicates of those pages: no link that would answer 404).
    context["can_list_packets"] = bool(perms.municipalities_served(actor, scope))
    context["can_open_run"] = perms.is_officer(actor, scope) and case.approved_run_id is not None
    return render(request, "resettlement/packet_detail.html", context)


NOTHING_OBSERVED = "none"  # the follow-up form's "no special need observed" (need codes are upper case)


@login_required
def followup(request: HttpRequest, reference: str) -> HttpResponse:
    actor, case = _packet_case(request, reference)
    if not perms.can_record_followup(actor, selectors.scope_for(actor), case.placed_in_id):
        raise Http404
    version = selectors.placement_taxonomy(case)
    opens = selectors.followup_opens(case)
    errors: dict[str, list[str]] = {}
    posted: dict[int, tuple[list[str], bool]] | None = None
    if request.method == "POST":
        posted = {}
        for n in selectors.person_positions(case):
            values = request.POST.getlist(f"person_{n}")
            posted[n] = ([v for v in values if v != NOTHING_OBSERVED], NOTHING_OBSERVED in values)
        try:
            services.observation_record(
                actor=actor,
                case=case,
                observed={n: codes for n, (codes, _nothing) in posted.items()},
                nothing_observed=[n for n, (_codes, nothing) in posted.items() if nothing],
            )
        except ValidationError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("The observed needs are saved."))
            return redirect("resettlement:packet_detail", reference=case.reference)
    # Read (and logged) only when the form is shown: a successful save redirects instead, and
    # before the arrival there is no form.
    rows = (
        []
        if opens is not None
        else selectors.followup_form(
            version, selectors.followup_persons_for(actor=actor, case=case), posted, errors
        )
    )
    summary = [("", m) for m in errors.get("__all__", [])] + [
        (f"#{field}", m) for field, ms in errors.items() if field != "__all__" for m in ms
    ]
    return render(
        request,
        "resettlement/followup.html",
        {
            "case": case,
            "rows": rows,
            "errors": summary,
            "opens": opens,
            "version": version,
            "nothing_value": NOTHING_OBSERVED,
        },
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    prevalence = selectors.prevalence(actor=actor)
    return render(request, "resettlement/dashboard.html", {"prevalence": prevalence, "rows": prevalence.rows})

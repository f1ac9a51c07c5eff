from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from samverkan.accounts.actors import actor_from_request
from samverkan.meetingplace.permissions import can_create_activity
from samverkan.organisations import selectors as org_selectors
from samverkan.organisations.models import OrganisationKind
from samverkan.panels.permissions import can_offer_pools
from samverkan.resettlement import permissions as resettlement_permissions
from samverkan.resettlement import selectors as resettlement_selectors


def home(request: HttpRequest) -> HttpResponse:
    agreements = list(org_selectors.agreement_public_list()[:5])
    return render(request, "site/home.html", {"agreements": agreements})


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "site/about.html")


def partners(request: HttpRequest) -> HttpResponse:
    agreements = org_selectors.agreement_public_list()
    partners = org_selectors.partner_list()
    by_kind: dict[str, list] = {}
    for organisation in partners:
        by_kind.setdefault(organisation.get_kind_display(), []).append(organisation)
    return render(
        request,
        "site/partners.html",
        {"agreements": agreements, "partners_by_kind": by_kind, "kinds": OrganisationKind},
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    return render(
        request,
        "site/dashboard.html",
        {
            "organisations": org_selectors.organisation_list_for_actor(actor=actor),
            "memberships": request.user.memberships.select_related("organisation"),  # type: ignore[union-attr]
            "agreements": org_selectors.agreement_list_for(actor=actor, mine_only=True),
            "invitations": org_selectors.invitation_list_for(actor=actor),
            "can_select_panels": can_offer_pools(actor),
            "can_plan_meetings": any(can_create_activity(actor, org) for org in actor.organisation_ids),
            "can_resettle": resettlement_permissions.can_use(actor, resettlement_selectors.scope_for(actor)),
        },
    )


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers (and as the load benchmark's trivial endpoint): the process answers."""
    return HttpResponse("ok", content_type="text/plain")

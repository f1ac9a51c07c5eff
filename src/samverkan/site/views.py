from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from samverkan.accounts.actors import actor_from_request
from samverkan.meetingplace import selectors as meetingplace_selectors
from samverkan.meetingplace.permissions import can_create_activity, overview_organisations
from samverkan.organisations import permissions as org_permissions
from samverkan.organisations import selectors as org_selectors
from samverkan.organisations.models import OrganisationKind
from samverkan.panels.permissions import can_offer_pools
from samverkan.resettlement import permissions as resettlement_permissions
from samverkan.resettlement import selectors as resettlement_selectors
from samverkan.statistics import selectors as statistics_selectors
from samverkan.stories import permissions as story_permissions
from samverkan.stories import selectors as story_selectors
from samverkan.stories.models import Ground
from samverkan.stories.richtext import plain


def _story_cards(limit: int) -> list[dict[str, object]]:
    cards = []
    for story in story_selectors.public_stories()[:limit]:
        language, text = story.published_revision.text()  # type: ignore[union-attr]
        cards.append(
            {
                "story": story,
                "text": {
                    "language": language,
                    "dir": "rtl" if language == "ar" else "ltr",
                    "title": text["title"],
                    "summary": plain(text["body"], 200),
                },
            }
        )
    return cards


def home(request: HttpRequest) -> HttpResponse:
    """The public hub: stories, statistics themes, partners and agreements, upcoming public events.

    The events are the calendar's own first sessions, unfiltered (the same selector as the
    calendar), so the home page never says there are none while the calendar lists some."""
    agreements = list(org_selectors.agreement_public_list()[:5])
    events = list(meetingplace_selectors.calendar(filters=meetingplace_selectors.CalendarFilter())[:3])
    return render(
        request,
        "site/home.html",
        {
            "agreements": agreements,
            "stories": _story_cards(3),
            "grounds": Ground.choices,
            "events": events,
            "themes": statistics_selectors.themes_available(actor=actor_from_request(request)),
        },
    )


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
            "can_start_agreement": bool(org_permissions.agreement_owner_ids(actor)),
            "invitations": org_selectors.invitation_list_for(actor=actor),
            "can_select_panels": can_offer_pools(actor),
            "can_plan_meetings": any(can_create_activity(actor, org) for org in actor.organisation_ids),
            "can_see_meeting_overview": bool(overview_organisations(actor)),
            "review_waiting": meetingplace_selectors.review_queue_waiting(actor=actor),
            "can_edit_stories": bool(story_permissions.editor_organisations(actor)),
            "can_resettle": resettlement_permissions.can_use(actor, resettlement_selectors.scope_for(actor)),
        },
    )


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers (and as the load benchmark's trivial endpoint): the process answers."""
    return HttpResponse("ok", content_type="text/plain")

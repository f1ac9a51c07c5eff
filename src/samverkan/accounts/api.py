"""API authentication (session or personal token), the request's Actor, and the accounts router.

Every app's router takes its ``AUTH`` / ``OPTIONAL_AUTH`` and ``actor_of`` from here.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination
from ninja.responses import Status
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from samverkan.accounts import authn
from samverkan.accounts import selectors as account_selectors
from samverkan.accounts import services as account_services
from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.models import ApiToken, Membership
from samverkan.accounts.schemas import (
    Id,
    MembershipOut,
    MeOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    TokenRenewIn,
)
from samverkan.core.actor import Actor


# --- Authentication -------------------------------------------------------------------------
class TokenAuth(HttpBearer):
    """``Authorization: Bearer sv_...``: a personal API token.

    The token was already checked by ``accounts.authn`` (a wrong one never gets this far); this
    only reports that decision to ninja, for the OpenAPI document and the endpoint's ``auth``.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if authn.auth_kind(request) != authn.TOKEN:
            return None
        return request.user


class SessionAuth(APIKeyCookie):
    """Django's session, as ``ninja.security.django_auth``, CSRF-checked for logged-in users.

    Unlike ninja's own, the CSRF check runs only when there is a logged-in user, so a request
    without credentials gets 401 (not "CSRF failed") and can fall through to anonymous access.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # A token request never uses the session, even when it also carries a session cookie.
        if authn.auth_kind(request) != authn.SESSION or not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed.")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if authn.auth_kind(request) != authn.SESSION:
            return None
        return request.user if request.user.is_authenticated else None


def anonymous(request: HttpRequest) -> Any:
    """Last resort for public endpoints: the anonymous visitor."""
    return AnonymousUser()


token_auth = TokenAuth()
session_auth = SessionAuth()
AUTH = [token_auth, session_auth]
OPTIONAL_AUTH = [token_auth, session_auth, anonymous]
# OpenAPI: a public operation accepts either credential, or none. ninja lists the two
# credentials already and appends this to them.
PUBLIC: dict[str, Any] = {"security": [{}]}


def actor_of(request: HttpRequest) -> Actor:
    """The Actor for an API request, built from whoever the API's authentication found."""
    cached = getattr(request, "_api_actor", None)
    if cached is not None:
        return cached
    user = getattr(request, "auth", None)
    actor = actor_for_user(
        user,
        getattr(request, "client_ip", None) or request.META.get("REMOTE_ADDR"),
        two_factor_verified=authn.session_verified(request),
    )
    request._api_actor = actor  # type: ignore[attr-defined]
    # Code that calls actor_from_request must see the token's user, not the anonymous actor
    # the middleware may have cached before the API authenticated the token.
    request._samverkan_actor = actor  # type: ignore[attr-defined]
    return actor


class Pagination(LimitOffsetPagination):
    """Limit/offset with bounds, so a fuzzed offset never overflows the database."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200)
        offset: int = Field(0, ge=0, le=1_000_000)


# --- Accounts router ------------------------------------------------------------------------
router = Router(tags=["accounts"], auth=AUTH)


@router.get("/me", response=MeOut, summary="The current user and their memberships")
def me(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(request)
    user = actor.user
    memberships = account_selectors.memberships_of(actor=actor)
    return {
        "user": {"id": user.pk, "email": user.email, "full_name": user.full_name},
        "memberships": [
            {
                "organisation_id": m.organisation_id,
                "organisation_name": m.organisation.name,
                "organisation_slug": m.organisation.slug,
                "role": m.role,
            }
            for m in memberships
        ],
    }


@router.get(
    "/organisations/{organisation_id}/memberships",
    response=list[MembershipOut],
    summary="Members of an organisation (administrators and coordinators only)",
)
def membership_list(request: HttpRequest, organisation_id: Id) -> list[Membership]:
    # The selector answers NotFound unless the actor administers or coordinates the
    # organisation, and logs the read (names and e-mail addresses are personal data).
    return list(account_selectors.member_list_for(actor=actor_of(request), organisation_id=organisation_id))


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens (without the secrets)")
def token_list(request: HttpRequest) -> list[ApiToken]:
    return account_selectors.api_token_list_for(actor=actor_of(request))


@router.post(
    "/tokens",
    response={201: TokenCreatedOut},
    auth=[session_auth],
    summary="Create an API token (from a logged-in session only); the token is shown once",
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    # Session only: a leaked token must not be able to mint tokens that outlive its revocation.
    # The service also refuses a session that has not passed the second factor where one is needed.
    token, raw = account_services.api_token_create(
        actor=actor_of(request), name=payload.name, expires_in_days=payload.expires_in_days
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.post(
    "/tokens/{token_id}/renew",
    response=TokenOut,
    auth=[session_auth],
    summary="Move a live token's expiry further (from a logged-in session only)",
)
def token_renew(request: HttpRequest, token_id: Id, payload: TokenRenewIn) -> ApiToken:
    return account_services.api_token_renew(
        actor=actor_of(request), token_id=token_id, expires_in_days=payload.expires_in_days
    )


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke one of your API tokens")
def token_revoke(request: HttpRequest, token_id: Id) -> Status[None]:
    account_services.api_token_revoke(actor=actor_of(request), token_id=token_id)
    return Status(204, None)


__all__ = [
    "AUTH",
    "OPTIONAL_AUTH",
    "PUBLIC",
    "Pagination",
    "actor_of",
    "router",
]

"""Story pages: the public hub's stories (list with facet filters, the story, its photo, feeds),
the editors' pages, and the interviewed person's page reached by their personal link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from samverkan.accounts.actors import actor_from_request, request_ip
from samverkan.core import ratelimit
from samverkan.core.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from samverkan.organisations.selectors import organisation_list
from samverkan.stories import permissions as perms
from samverkan.stories import selectors, services
from samverkan.stories.forms import (
    CommentForm,
    LinkForm,
    PersonDecisionForm,
    PersonEditForm,
    PublishForm,
    StoryForm,
    WithdrawForm,
)
from samverkan.stories.models import (
    LANGUAGES,
    Ground,
    MunicipalityType,
    OriginRegion,
    PersonLink,
    Story,
    StoryPhoto,
    StoryRevision,
)
from samverkan.stories.richtext import plain
from samverkan.stories.richtext import render as render_text

RATE_WINDOW = timedelta(minutes=15)


def _version(revision: StoryRevision, language: str | None = None) -> dict[str, Any]:
    code, text = revision.text(language)
    return {
        "language": code,
        "dir": "rtl" if code == "ar" else "ltr",
        "title": text["title"],
        "html": render_text(text["body"]),
        "summary": plain(text["body"], 200),
    }


def _photo_response(photo: StoryPhoto | None) -> HttpResponse:
    if photo is None or photo.removed_at is not None:
        raise Http404
    response = HttpResponse(bytes(photo.data), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-cache"
    return response


# --- Public --------------------------------------------------------------------------------------


def story_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.StoryFilter.from_query(request.GET.dict())
    stories = [
        {"story": s, "text": _version(s.published_revision)}  # type: ignore[arg-type]
        for s in selectors.public_stories(filters=filters)[:100]
    ]
    return render(
        request,
        "stories/list.html",
        {
            "stories": stories,
            "filters": filters,
            "grounds": Ground.choices,
            "regions": OriginRegion.choices,
            "municipality_types": MunicipalityType.choices,
            "tags": selectors.public_tags(),
        },
    )


def story_detail(request: HttpRequest, slug: str) -> HttpResponse:
    story = selectors.public_story(slug=slug)
    revision = story.published_revision
    assert revision is not None
    return render(
        request,
        "stories/detail.html",
        {
            "story": story,
            "revision": revision,
            "text": _version(revision),
            "languages": [code for code, _n in LANGUAGES if code in revision.texts],
            "can_edit": perms.can_edit_stories(actor_from_request(request), story.organisation_id),
        },
    )


def story_photo(request: HttpRequest, slug: str) -> HttpResponse:
    """The photo of the published revision only: once a story is withdrawn, its photo is gone too."""
    story = selectors.public_story(slug=slug)
    return _photo_response(story.published_revision.photo)  # type: ignore[union-attr]


# --- Editors -------------------------------------------------------------------------------------


def _editor_story(request: HttpRequest, story_id: int, view: str) -> Story:
    """The story for its editors; a page that shows its content logs the read (GET)."""
    actor = actor_from_request(request)
    if request.method == "GET":
        return selectors.story_read_for(actor=actor, story_id=story_id, view=view)
    return selectors.story_get_for(actor=actor, story_id=story_id)


@never_cache
@login_required
def manage(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    if not perms.editor_organisations(actor):
        raise DjangoPermissionDenied
    stories = [
        {"story": s, "current": max(s.revisions.all(), key=lambda r: r.number)}
        for s in selectors.story_list_for(actor=actor)
    ]
    return render(request, "stories/manage.html", {"stories": stories, "now": timezone.now()})


def _photo(form: StoryForm) -> services.Photo | None:
    upload = form.cleaned_data.get("photo")
    if not upload:
        return None
    return services.Photo(
        data=upload.read(),
        alt=form.cleaned_data.get("photo_alt") or "",
        consent=bool(form.cleaned_data.get("photo_consent")),
    )


def _details(form: StoryForm) -> services.Details:
    data = form.cleaned_data
    return services.Details(
        ground=data["ground"],
        origin_region=data["origin_region"],
        arrival_year=data["arrival_year"],
        municipality_type=data["municipality_type"],
        tags=form.tag_list(),
        interview_date=data.get("interview_date"),
    )


FIELD_MAP = {"texts": "title_sv", "tags": "tags"}


@never_cache
@login_required
def story_new(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    allowed = perms.editor_organisations(actor)
    if not allowed:
        raise DjangoPermissionDenied
    form = StoryForm(
        request.POST or None, request.FILES or None, organisations=organisation_list(ids=allowed)
    )
    if request.method == "POST" and form.is_valid():
        try:
            story = services.story_create(
                actor=actor,
                organisation_id=form.cleaned_data["organisation"].pk,
                original_language=form.cleaned_data["original_language"],
                details=_details(form),
                display_name=form.cleaned_data["display_name"],
                texts=form.texts(),
                photo=_photo(form),
            )
        except ValidationError as exc:
            form.add_domain_errors(exc, FIELD_MAP)
        else:
            messages.success(
                request, _("The story is saved. Send the person their link to read and approve it.")
            )
            return redirect("stories:editor_detail", story_id=story.pk)
    return render(request, "stories/story_form.html", {"form": form, "story": None})


@never_cache
@login_required
def story_edit(request: HttpRequest, story_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    story = _editor_story(request, story_id, "edit")
    current = selectors.current_revision(story)
    initial: dict[str, Any] = {
        "display_name": current.display_name,
        "ground": current.ground,
        "origin_region": current.origin_region,
        "arrival_year": current.arrival_year,
        "municipality_type": current.municipality_type,
        "tags": ", ".join(current.tags),
        "interview_date": story.interview_date,
        "photo_alt": current.photo_alt,
        "base_number": current.number,
    }
    for code, version in current.texts.items():
        initial[f"title_{code}"], initial[f"body_{code}"] = version["title"], version["body"]
    form = StoryForm(request.POST or None, request.FILES or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.story_edit(
                actor=actor,
                story=story,
                base_number=form.cleaned_data["base_number"],
                details=_details(form),
                display_name=form.cleaned_data["display_name"],
                texts=form.texts(),
                photo=_photo(form),
                photo_alt=form.cleaned_data.get("photo_alt") or "",
                remove_photo=bool(form.cleaned_data.get("remove_photo")),
            )
        except ValidationError as exc:
            form.add_domain_errors(exc, {**FIELD_MAP, "texts": f"title_{story.original_language}"})
        else:
            if revision is None:
                messages.success(request, _("Saved. The text did not change, so no new approval is needed."))
            else:
                messages.success(
                    request,
                    _("Revision %(n)s is saved. The person must approve it before it can be published.")
                    % {"n": revision.number},
                )
            return redirect("stories:editor_detail", story_id=story.pk)
    return render(request, "stories/story_form.html", {"form": form, "story": story, "current": current})


@never_cache
@login_required
def editor_detail(request: HttpRequest, story_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    story = _editor_story(request, story_id, "detail")
    current = selectors.current_revision(story)
    link_form = LinkForm(prefix="link", initial={"language": story.original_language})
    publish_form = PublishForm(prefix="publish", initial={"base_number": current.number})
    comment_form = CommentForm(prefix="comment")
    issued = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "link":
                link_form = LinkForm(request.POST, prefix="link")
                if link_form.is_valid():
                    issued = services.link_issue(actor=actor, story=story, **link_form.cleaned_data)
            elif action == "publish":
                publish_form = PublishForm(request.POST, prefix="publish")
                if publish_form.is_valid():
                    services.story_publish(
                        actor=actor,
                        story=story,
                        base_number=publish_form.cleaned_data["base_number"],
                        publish_at=publish_form.cleaned_data["publish_at"],
                    )
                    messages.success(request, _("The story is published."))
                    return redirect("stories:editor_detail", story_id=story.pk)
            elif action == "unpublish":
                services.story_unpublish(actor=actor, story=story)
                messages.success(request, _("The story is no longer public."))
                return redirect("stories:editor_detail", story_id=story.pk)
            elif action == "comment":
                comment_form = CommentForm(request.POST, prefix="comment")
                if comment_form.is_valid():
                    services.editor_comment(
                        actor=actor, story=story, comment=comment_form.cleaned_data["comment"]
                    )
                    return redirect("stories:editor_detail", story_id=story.pk)
        except ValidationError as exc:
            forms: dict[str, LinkForm | PublishForm | CommentForm] = {
                "link": link_form,
                "publish": publish_form,
                "comment": comment_form,
            }
            target = forms.get(action)
            if target is not None:
                target.add_domain_errors(exc)
            else:
                for ms in exc.errors.values():
                    for m in ms:
                        messages.error(request, m)
        story.refresh_from_db()
    revisions = list(story.revisions.order_by("-number"))
    previous = revisions[1] if len(revisions) > 1 else None
    published = story.published_revision
    return render(
        request,
        "stories/editor_detail.html",
        {
            "story": story,
            "current": current,
            "versions": [_version(current, code) for code, _n in LANGUAGES if code in current.texts],
            "changes": selectors.changes(previous, current),
            "changes_since_public": (
                selectors.changes(published, current) if published and published.pk != current.pk else []
            ),
            "revisions": revisions,
            "comments": story.comments.select_related("revision", "author"),
            "links": story.links.all()[:5],
            "history": selectors.history(story)[:50],
            "is_live": selectors.is_live(story),
            "link_form": link_form,
            "publish_form": publish_form,
            "comment_form": comment_form,
            "issued": issued,
            "now": timezone.now(),
        },
    )


@login_required
def editor_photo(request: HttpRequest, story_id: int, number: int) -> HttpResponse:
    story = _editor_story(request, story_id, "photo")
    revision = story.revisions.select_related("photo").filter(number=number).first()
    return _photo_response(revision.photo if revision else None)


# --- The interviewed person --------------------------------------------------------------------


def _person_link(request: HttpRequest, token: str) -> PersonLink:
    """The live link, or Http404 (guessed, expired, replaced, withdrawn) or RateLimited (too many
    bad links from this address, or too many requests on this link).

    A live link is never refused because of other people's bad links from the same address: many
    people share one (asylum housing, a mobile operator), and the person must not be locked out.
    The tokens carry 256 bits, so the per-address count is a brake on noise, not the defence."""
    ip = request_ip(request) or "unknown"
    bad_key = f"stories.badlink:{ip}"
    try:
        link = services.link_resolve(token=token, actor=actor_from_request(request))
    except NotFound:
        if ratelimit.count(bad_key, RATE_WINDOW) >= settings.STORIES_BAD_LINKS_PER_ADDRESS:
            raise _limited() from None
        ratelimit.hit(bad_key)
        raise Http404 from None
    if not ratelimit.allow(f"stories.link:{link.pk}", settings.STORIES_REQUESTS_PER_LINK, RATE_WINDOW):
        raise _limited()
    return link


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _limited() -> RateLimited:
    return RateLimited(
        int(RATE_WINDOW.total_seconds()),
        advice=_(
            "Please wait 15 minutes and open your link again. If it still does not work, contact "
            "the person who interviewed you."
        ),
    )


@never_cache
def person(request: HttpRequest, token: str) -> HttpResponse:
    link = _person_link(request, token)
    actor = actor_from_request(request)
    story = link.story
    current = selectors.current_revision(story)
    language = link.language if link.language in current.texts else story.original_language
    version = current.texts[language]
    edit_form = PersonEditForm(
        prefix="edit",
        initial={"base_number": current.number, "title": version["title"], "body": version["body"]},
    )
    decision_form = PersonDecisionForm(prefix="decision", initial={"base_number": current.number})
    withdraw_form = WithdrawForm(prefix="withdraw")
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("save", "save_approve"):
                edit_form = PersonEditForm(request.POST, prefix="edit")
                if edit_form.is_valid():
                    data = edit_form.cleaned_data
                    services.person_revise(
                        actor=actor,
                        link=link,
                        base_number=data["base_number"],
                        language=language,
                        title=data["title"],
                        body=data["body"],
                        comment=data["comment"],
                        approve=action == "save_approve",
                    )
                    messages.success(
                        request,
                        _("Thank you: your changes are saved and approved.")
                        if action == "save_approve"
                        else _("Your changes are saved. Approve the text when you are happy with it."),
                    )
                    return redirect("stories:person", token=token)
            elif action in ("approve", "decline", "comment"):
                decision_form = PersonDecisionForm(request.POST, prefix="decision")
                if decision_form.is_valid():
                    data = decision_form.cleaned_data
                    if action == "comment":
                        services.person_comment(
                            actor=actor, link=link, base_number=data["base_number"], comment=data["comment"]
                        )
                        messages.success(request, _("Your comment is sent to the editor."))
                    else:
                        services.person_decide(
                            actor=actor,
                            link=link,
                            base_number=data["base_number"],
                            approve=action == "approve",
                            comment=data["comment"],
                        )
                        messages.success(
                            request,
                            _("Thank you: you have approved the text.")
                            if action == "approve"
                            else _("Thank you: the editor will change the text and ask you again."),
                        )
                    return redirect("stories:person", token=token)
            elif action == "remove_photo":
                decision_form = PersonDecisionForm(request.POST, prefix="decision")
                if decision_form.is_valid():
                    services.person_remove_photo(
                        actor=actor, link=link, base_number=decision_form.cleaned_data["base_number"]
                    )
                    messages.success(request, _("Your photo is removed. It is no longer shown anywhere."))
                    return redirect("stories:person", token=token)
            elif action == "withdraw":
                withdraw_form = WithdrawForm(request.POST, prefix="withdraw")
                if withdraw_form.is_valid():
                    services.person_withdraw(actor=actor, link=link)
                    return _private(render(request, "stories/withdrawn.html"))
        except ValidationError as exc:
            target = edit_form if action in ("save", "save_approve") else decision_form
            target.add_domain_errors(exc, {f"title_{language}": "title", f"body_{language}": "body"})
        except PermissionDenied:
            messages.error(
                request,
                _(
                    "You are logged in as an editor of this story. Only the person interviewed answers "
                    "here, through their own link on their own device."
                ),
            )
    else:
        services.link_opened(actor=actor, link=link)
    # The page speaks the person's language unless they chose another with the language menu.
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    with translation.override(chosen if chosen and translation.check_for_language(chosen) else link.language):
        return _private(
            render(
                request,
                "stories/person.html",
                {
                    "token": token,
                    "story": story,
                    "current": current,
                    "text": _version(current, language),
                    "others": [_version(current, code) for code in current.texts if code != language],
                    "comments": story.comments.filter(revision=current),
                    "is_live": selectors.is_live(story),
                    "is_public_text": story.published_revision_id == current.pk,
                    "edit_form": edit_form,
                    "decision_form": decision_form,
                    "withdraw_form": withdraw_form,
                    "expires_at": link.expires_at,
                },
            )
        )


def person_photo(request: HttpRequest, token: str) -> HttpResponse:
    link = _person_link(request, token)
    return _private(_photo_response(selectors.current_revision(link.story).photo))

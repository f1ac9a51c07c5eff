"""Fictional stories for the tests: invented people, invented texts."""

from __future__ import annotations

import io

from PIL import Image

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.core.actor import Actor
from samverkan.organisations.models import Organisation
from samverkan.stories import services
from samverkan.stories.models import Story

TEXT_SV = (
    "Jag kom till Sverige en kall vinter.\n\n"
    "Det första året lärde jag mig svenska på kvällarna.\n\n"
    "Nu arbetar jag som sjuksköterska."
)


def editor(org: Organisation | None = None) -> Actor:
    return actor_for_user(member("editor", org or organisation()))


def story(actor: Actor | None = None, org: Organisation | None = None, **texts: dict[str, str]) -> Story:
    org = org or organisation()
    actor = actor or editor(org)
    return services.story_create(
        actor=actor,
        organisation_id=org.pk,
        original_language="sv",
        details=services.Details(
            ground="work", origin_region="asia", arrival_year=2019, municipality_type="towns", tags=["arbete"]
        ),
        display_name="Amira (fiktiv)",
        texts=texts or {"sv": {"title": "En kall vinter", "body": TEXT_SV}},
    )


def edit(actor: Actor, the_story: Story, body: str, language: str = "sv"):
    current = the_story.revisions.order_by("-number").first()
    texts = {code: dict(v) for code, v in current.texts.items()}
    texts[language]["body"] = body
    return services.story_edit(
        actor=actor,
        story=the_story,
        base_number=current.number,
        details=services.Details(
            ground=current.ground,
            origin_region=current.origin_region,
            arrival_year=current.arrival_year,
            municipality_type=current.municipality_type,
            tags=current.tags,
        ),
        display_name=current.display_name,
        texts=texts,
    )


def jpeg(colour: tuple[int, int, int] = (10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(out, format="JPEG")
    return out.getvalue()

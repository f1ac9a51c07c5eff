"""Demo data for MIG Talks: three fictional stories by invented people, published by the Migration
Agency's demo editors, each marked fictional. Two are approved by their (invented) person and
published; one waits for the person's approval. Idempotent."""

from __future__ import annotations

from django.db import transaction

from samverkan.core.actor import Actor
from samverkan.organisations.models import Organisation
from samverkan.stories import services
from samverkan.stories.models import Story

STORIES = [
    (
        "Amira (fiktiv)",
        services.Details(
            ground="work",
            origin_region="asia",
            arrival_year=2019,
            municipality_type="towns",
            tags=["arbete", "vård"],
        ),
        {
            "sv": {
                "title": "Nattpasset som blev en ny början (fiktiv)",
                "body": "*Detta är en påhittad berättelse för demo.*\n\n"
                "Jag kom till Sverige för att arbeta som undersköterska. De första veckorna förstod jag "
                "nästan ingenting av det som sades i personalrummet.\n\n"
                "En kollega började prata långsamt med mig under nattpassen. I dag är det jag som "
                "tar emot de nya.",
            },
            "en": {
                "title": "The night shift that became a new beginning (fictional)",
                "body": "*This is an invented story for the demo.*\n\n"
                "I came to Sweden to work as an assistant nurse. In the first weeks I understood almost "
                "nothing of what was said in the staff room.\n\n"
                "A colleague began speaking slowly with me on the night shifts. Today I am the one who "
                "welcomes the new ones.",
            },
            "ar": {
                "title": "المناوبة الليلية التي صارت بداية جديدة (قصة خيالية)",
                "body": "*هذه قصة مختلقة لأغراض العرض.*\n\n"
                "جئت إلى السويد للعمل مساعدة تمريض. في الأسابيع الأولى لم أفهم تقريبًا شيئًا مما يقال "
                "في غرفة الموظفين.\n\n"
                "بدأت زميلة تتحدث معي ببطء خلال المناوبات الليلية. اليوم أنا من يستقبل الموظفين الجدد.",
            },
        },
        True,
    ),
    (
        "Tesfay (fiktiv)",
        services.Details(
            ground="protection",
            origin_region="africa",
            arrival_year=2015,
            municipality_type="rural",
            tags=["skola", "idrott"],
        ),
        {
            "sv": {
                "title": "Fotbollsplanen i Fiktiva bruk (fiktiv)",
                "body": "*Detta är en påhittad berättelse för demo.*\n\n"
                "När jag kom hit var jag sexton år. Skolan var ny, språket var nytt, vintern var ny.\n\n"
                "Det var på fotbollsplanen jag först kände mig hemma. Tränaren lärde mig orden för "
                "passning, hörna och frispark – och sedan alla andra ord.",
            }
        },
        True,
    ),
    (
        "Olena (fiktiv)",
        services.Details(
            ground="protection",
            origin_region="europe_other",
            arrival_year=2022,
            municipality_type="cities",
            tags=["familj"],
        ),
        {
            "sv": {
                "title": "Två språk vid middagsbordet (fiktiv)",
                "body": "*Detta är en påhittad berättelse för demo. Den väntar på personens godkännande.*\n\n"
                "Mina barn svarar på svenska när jag frågar på ukrainska. Jag har slutat rätta dem.",
            }
        },
        False,
    ),
]


def load_demo() -> dict[str, int]:
    publisher = Organisation.objects.filter(slug="migrationsverket").first()
    if publisher is None or Story.objects.filter(is_fictional=True).exists():
        return {"demo stories": 0}
    system = Actor.system()
    with transaction.atomic():
        for name, details, texts, approved in STORIES:
            story = services.story_create(
                actor=system,
                organisation_id=publisher.pk,
                original_language="sv",
                details=details,
                display_name=name,
                texts=texts,
                is_fictional=True,
            )
            issued = services.link_issue(actor=system, story=story, language="sv")
            if approved:
                services.person_decide(actor=Actor.anonymous(), link=issued.link, base_number=1, approve=True)
                services.story_publish(actor=system, story=story, base_number=1)
    return {"demo stories": len(STORIES)}

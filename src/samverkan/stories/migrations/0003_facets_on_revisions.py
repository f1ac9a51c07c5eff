"""The facets and tags move from the story to its revisions, so the person approves them with the
text (they are shown beside it on the public page). Every existing revision gets its story's
current values."""

from django.db import migrations, models

FACETS = ("ground", "origin_region", "arrival_year", "municipality_type", "tags")


def copy_to_revisions(apps, schema_editor):
    Story = apps.get_model("stories", "Story")
    StoryRevision = apps.get_model("stories", "StoryRevision")
    for story in Story.objects.all().iterator():
        StoryRevision.objects.filter(story=story).update(**{name: getattr(story, name) for name in FACETS})


def copy_to_stories(apps, schema_editor):
    Story = apps.get_model("stories", "Story")
    StoryRevision = apps.get_model("stories", "StoryRevision")
    for story in Story.objects.all().iterator():
        newest = StoryRevision.objects.filter(story=story).order_by("-number").first()
        if newest is not None:
            Story.objects.filter(pk=story.pk).update(**{name: getattr(newest, name) for name in FACETS})


GROUNDS = [
    ("protection", "Need of protection"),
    ("family", "Family ties"),
    ("work", "Work"),
    ("studies", "Studies"),
    ("return", "Return migration"),
    ("free_movement", "Free movement within the EU/EEA"),
]
REGIONS = [
    ("nordic", "The Nordic countries (except Sweden)"),
    ("eu", "The EU (except the Nordic countries)"),
    ("europe_other", "Europe outside the EU and the Nordic countries"),
    ("africa", "Africa"),
    ("asia", "Asia"),
    ("north_america", "North America"),
    ("south_america", "South America"),
    ("oceania", "Oceania"),
]
MUNICIPALITY_TYPES = [
    ("cities", "Large cities and municipalities near large cities"),
    ("towns", "Medium-sized towns and municipalities near them"),
    ("rural", "Small towns and rural municipalities"),
]


class Migration(migrations.Migration):
    dependencies = [("stories", "0002_photo_removed_at")]

    operations = [
        migrations.AddField(
            model_name="storyrevision",
            name="ground",
            field=models.CharField(
                choices=GROUNDS, max_length=20, null=True, verbose_name="ground for settlement"
            ),
        ),
        migrations.AddField(
            model_name="storyrevision",
            name="origin_region",
            field=models.CharField(choices=REGIONS, max_length=20, null=True, verbose_name="region of origin"),
        ),
        migrations.AddField(
            model_name="storyrevision",
            name="arrival_year",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="year of arrival"),
        ),
        migrations.AddField(
            model_name="storyrevision",
            name="municipality_type",
            field=models.CharField(
                choices=MUNICIPALITY_TYPES, max_length=10, null=True, verbose_name="type of home municipality"
            ),
        ),
        migrations.AddField(
            model_name="storyrevision",
            name="tags",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(copy_to_revisions, copy_to_stories),
        migrations.AlterField(
            model_name="storyrevision",
            name="ground",
            field=models.CharField(choices=GROUNDS, max_length=20, verbose_name="ground for settlement"),
        ),
        migrations.AlterField(
            model_name="storyrevision",
            name="origin_region",
            field=models.CharField(choices=REGIONS, max_length=20, verbose_name="region of origin"),
        ),
        migrations.AlterField(
            model_name="storyrevision",
            name="arrival_year",
            field=models.PositiveSmallIntegerField(verbose_name="year of arrival"),
        ),
        migrations.AlterField(
            model_name="storyrevision",
            name="municipality_type",
            field=models.CharField(
                choices=MUNICIPALITY_TYPES, max_length=10, verbose_name="type of home municipality"
            ),
        ),
        migrations.RemoveField(model_name="story", name="ground"),
        migrations.RemoveField(model_name="story", name="origin_region"),
        migrations.RemoveField(model_name="story", name="arrival_year"),
        migrations.RemoveField(model_name="story", name="municipality_type"),
        migrations.RemoveField(model_name="story", name="tags"),
    ]

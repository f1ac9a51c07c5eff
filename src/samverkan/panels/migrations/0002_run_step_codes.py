"""A run's step becomes a code (each reader sees it in their language) instead of stored text."""

from django.db import migrations, models


def steps_to_codes(apps, schema_editor):
    SelectionRun = apps.get_model("panels", "SelectionRun")
    for status, code in (("done", "done"), ("failed", "failed"), ("running", "computing"), ("queued", "waiting")):
        SelectionRun.objects.filter(status=status).update(step=code)


class Migration(migrations.Migration):
    dependencies = [
        ("panels", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(steps_to_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="selectionrun",
            name="step",
            field=models.CharField(
                choices=[
                    ("waiting", "Waiting for a worker"),
                    ("checking", "Checking the quotas"),
                    ("computing", "Computing everyone's selection probability"),
                    ("drawing", "Drawing the panel"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                default="waiting",
                max_length=20,
            ),
        ),
    ]

"""Arabic names and definitions, and who a need applies to (children, adults, anyone), for the
needs taxonomy: new fields, filled for the shipped entries from data/resettlement/needs_taxonomy.csv.

Every version gets them, not only version 1, but only for entries whose English text is still the
shipped one: an Arabic translation is given to a definition only if it translates that definition.
Who a need applies to follows the shipped entry of the same code (a sub-code added by the agency
follows its parent)."""

from django.db import migrations, models


def load(apps, schema_editor):
    from samverkan.resettlement.taxonomy import shipped_entries

    NeedDefinition = apps.get_model("resettlement", "NeedDefinition")
    shipped = {e["code"]: e for e in shipped_entries()}
    changed = []
    for entry in NeedDefinition.objects.all():
        row = shipped.get(entry.code) or shipped.get(entry.parent)
        if row is None:
            continue
        entry.applies_to = row["applies_to"]
        if entry.code in shipped:
            if entry.label_en == row["label_en"]:
                entry.label_ar = row["label_ar"]
            if entry.definition_en == row["definition_en"]:
                entry.definition_ar = row["definition_ar"]
        changed.append(entry)
    NeedDefinition.objects.bulk_update(
        changed, ["applies_to", "label_ar", "definition_ar"], batch_size=500
    )


class Migration(migrations.Migration):
    dependencies = [("resettlement", "0003_prevalence_release")]

    operations = [
        migrations.AddField(
            model_name="needdefinition",
            name="applies_to",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Anyone"),
                    ("child", "Children (under 18)"),
                    ("adult", "Adults (18 or over)"),
                ],
                default="",
                max_length=5,
            ),
        ),
        migrations.AddField(
            model_name="needdefinition",
            name="label_ar",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="name (Arabic)"),
        ),
        migrations.AddField(
            model_name="needdefinition",
            name="definition_ar",
            field=models.TextField(blank=True, default="", verbose_name="definition (Arabic)"),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]

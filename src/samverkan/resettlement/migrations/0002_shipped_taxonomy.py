"""Load version 1 of the needs taxonomy from data/resettlement/needs_taxonomy.csv."""

from django.db import migrations


def load(apps, schema_editor):
    from samverkan.resettlement.taxonomy import SHIPPED_NOTE, shipped_entries

    TaxonomyVersion = apps.get_model("resettlement", "TaxonomyVersion")
    NeedDefinition = apps.get_model("resettlement", "NeedDefinition")
    if TaxonomyVersion.objects.exists():
        return
    version = TaxonomyVersion.objects.create(number=1, note=SHIPPED_NOTE)
    # The data file has columns that later migrations add (0004: Arabic, who a need applies to).
    fields = {f.name for f in NeedDefinition._meta.get_fields()}
    NeedDefinition.objects.bulk_create(
        NeedDefinition(version=version, **{k: v for k, v in entry.items() if k in fields})
        for entry in shipped_entries()
    )


def unload(apps, schema_editor):
    apps.get_model("resettlement", "TaxonomyVersion").objects.filter(number=1).delete()


class Migration(migrations.Migration):
    dependencies = [("resettlement", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

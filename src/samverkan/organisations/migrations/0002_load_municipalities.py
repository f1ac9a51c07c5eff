from django.db import migrations


def load(apps, schema_editor):
    from samverkan.organisations.municipalities import read_municipalities

    Municipality = apps.get_model("organisations", "Municipality")
    Municipality.objects.bulk_create(
        [Municipality(code=r.code, name=r.name, county=r.county, population_2016=r.population_2016)
         for r in read_municipalities()],
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    apps.get_model("organisations", "Municipality").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

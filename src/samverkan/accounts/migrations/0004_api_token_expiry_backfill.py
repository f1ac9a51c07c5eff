"""Tokens made before every token had an expiry get one: 90 days from this migration."""

import datetime as dt

from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=timezone.now() + dt.timedelta(days=90))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_recovery_codes")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

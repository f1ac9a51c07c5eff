from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_api_token_expiry_backfill")]

    operations = [
        migrations.AlterField(model_name="apitoken", name="expires_at", field=models.DateTimeField()),
    ]

from django.apps import AppConfig


class ResettlementConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "samverkan.resettlement"
    label = "resettlement"
    verbose_name = "Resettlement"

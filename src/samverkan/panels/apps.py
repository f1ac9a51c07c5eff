from django.apps import AppConfig


class PanelsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "samverkan.panels"
    label = "panels"
    verbose_name = "Panels"

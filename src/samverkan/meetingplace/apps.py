from django.apps import AppConfig


class MeetingplaceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "samverkan.meetingplace"
    label = "meetingplace"
    verbose_name = "Mötesplats"

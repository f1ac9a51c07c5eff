from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "samverkan.site"
    label = "site"
    verbose_name = "Public site"

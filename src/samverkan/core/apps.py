from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "samverkan.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Each app's tasks module registers the task that executes its runs (core.runs.register):
        # import them all at start-up, as Django does with admin modules, so a run is never
        # enqueued before its executor is known.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")

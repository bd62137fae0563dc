from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Maandrapportage"

    def ready(self):
        from . import tasks  # noqa: F401

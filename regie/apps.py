from django.apps import AppConfig


class RegieConfig(AppConfig):
    name = "regie"
    verbose_name = "Signalering en regie"

    def ready(self):
        from . import tasks  # noqa: F401  (registers the tasks that cases asks for by name)

from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Bewaartermijn"

    def ready(self):
        from . import tasks  # noqa: F401  (registers the nightly task)

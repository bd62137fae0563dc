from django.apps import AppConfig


class WerkConfig(AppConfig):
    name = "werk"
    verbose_name = "Mijn werk"

from django.apps import AppConfig


class TherapyConfig(AppConfig):
    name = "nmguard.apps.therapy"
    label = "therapy"

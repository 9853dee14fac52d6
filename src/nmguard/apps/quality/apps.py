from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "nmguard.apps.quality"
    label = "quality"

from django.apps import AppConfig


class RadiopharmacyConfig(AppConfig):
    name = "nmguard.apps.radiopharmacy"
    label = "radiopharmacy"

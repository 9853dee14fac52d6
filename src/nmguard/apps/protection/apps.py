from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "nmguard.apps.protection"
    label = "protection"

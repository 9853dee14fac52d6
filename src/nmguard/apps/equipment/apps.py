from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "nmguard.apps.equipment"
    label = "equipment"

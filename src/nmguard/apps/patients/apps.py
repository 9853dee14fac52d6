from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "nmguard.apps.patients"
    label = "patients"

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "nmguard.apps.patients"
    label = "patients"

    def ready(self) -> None:
        from nmguard.apps.core.dashboard import ATTENTION_PROVIDERS
        from nmguard.apps.patients.attention import medical_event_attention

        ATTENTION_PROVIDERS.append(medical_event_attention)

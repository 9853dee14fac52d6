from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "nmguard.apps.patients"
    label = "patients"

    def ready(self) -> None:
        from nmguard.apps.core.dashboard import ATTENTION_PROVIDERS, WORK_COUNT_PROVIDERS
        from nmguard.apps.patients.attention import administration_counts, medical_event_attention

        ATTENTION_PROVIDERS.append(medical_event_attention)
        WORK_COUNT_PROVIDERS.append(administration_counts)

from django.apps import AppConfig


class TherapyConfig(AppConfig):
    name = "nmguard.apps.therapy"
    label = "therapy"

    def ready(self) -> None:
        from nmguard.apps.core.dashboard import WORK_COUNT_PROVIDERS
        from nmguard.apps.therapy.attention import dosimetry_counts

        WORK_COUNT_PROVIDERS.append(dosimetry_counts)

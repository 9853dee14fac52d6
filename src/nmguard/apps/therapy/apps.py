from django.apps import AppConfig


class TherapyConfig(AppConfig):
    name = "nmguard.apps.therapy"
    label = "therapy"

    def ready(self) -> None:
        from nmguard.apps.core.dashboard import ATTENTION_PROVIDERS, WORK_COUNT_PROVIDERS
        from nmguard.apps.therapy.attention import dosimetry_counts
        from nmguard.apps.therapy.release_services import release_attention

        WORK_COUNT_PROVIDERS.append(dosimetry_counts)
        ATTENTION_PROVIDERS.append(release_attention)

from django.apps import AppConfig


class RadiopharmacyConfig(AppConfig):
    name = "nmguard.apps.radiopharmacy"
    label = "radiopharmacy"

    def ready(self) -> None:
        from nmguard.apps.core.dashboard import ATTENTION_PROVIDERS, WORK_COUNT_PROVIDERS
        from nmguard.apps.radiopharmacy.attention import hotlab_counts, possession_attention

        ATTENTION_PROVIDERS.append(possession_attention)
        WORK_COUNT_PROVIDERS.append(hotlab_counts)

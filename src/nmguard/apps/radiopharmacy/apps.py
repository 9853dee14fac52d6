from django.apps import AppConfig


class RadiopharmacyConfig(AppConfig):
    name = "nmguard.apps.radiopharmacy"
    label = "radiopharmacy"

    def ready(self) -> None:
        from nmguard.apps.core.dashboard import ATTENTION_PROVIDERS
        from nmguard.apps.radiopharmacy.attention import possession_attention

        ATTENTION_PROVIDERS.append(possession_attention)

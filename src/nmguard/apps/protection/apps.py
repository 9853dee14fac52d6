"""Staff and public protection: dosimetry records, surveys, sealed sources."""

from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "nmguard.apps.protection"
    label = "protection"

    def ready(self) -> None:
        from nmguard.apps.core.dashboard import ATTENTION_PROVIDERS
        from nmguard.apps.protection.attention import staff_dose_attention

        ATTENTION_PROVIDERS.append(staff_dose_attention)

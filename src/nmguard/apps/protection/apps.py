"""Staff and public protection: dosimetry records, surveys, sealed sources."""

from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "nmguard.apps.protection"
    label = "protection"

    def ready(self) -> None:
        from nmguard.apps.core.dashboard import ATTENTION_PROVIDERS
        from nmguard.apps.protection.attention import staff_dose_attention

        ATTENTION_PROVIDERS.append(staff_dose_attention)

        from nmguard.apps.equipment.source_refusals import SOURCE_REFUSALS
        from nmguard.apps.protection.source_attention import sources_attention
        from nmguard.apps.protection.source_services import check_source_refusal

        ATTENTION_PROVIDERS.append(sources_attention)
        SOURCE_REFUSALS.append(check_source_refusal)

        from nmguard.apps.protection.monitoring_attention import monitoring_attention

        ATTENTION_PROVIDERS.append(monitoring_attention)

from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "nmguard.apps.equipment"
    label = "equipment"

    def ready(self) -> None:
        from nmguard.apps.core.dashboard import ATTENTION_PROVIDERS, WORK_COUNT_PROVIDERS
        from nmguard.apps.equipment.attention import equipment_counts, qc_attention

        ATTENTION_PROVIDERS.append(qc_attention)
        WORK_COUNT_PROVIDERS.append(equipment_counts)

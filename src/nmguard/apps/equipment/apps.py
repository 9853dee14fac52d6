from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "nmguard.apps.equipment"
    label = "equipment"

    def ready(self) -> None:
        from nmguard.apps.core.dashboard import ATTENTION_PROVIDERS
        from nmguard.apps.equipment.attention import qc_attention

        ATTENTION_PROVIDERS.append(qc_attention)

from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "nmguard.apps.quality"
    label = "quality"

    def ready(self) -> None:
        from nmguard.apps.core.competence import COMPETENCE_GUARDS
        from nmguard.apps.core.dashboard import ATTENTION_PROVIDERS
        from nmguard.apps.quality.competence_services import task_refusal
        from nmguard.apps.quality.training_attention import training_attention

        COMPETENCE_GUARDS.append(task_refusal)
        ATTENTION_PROVIDERS.append(training_attention)

        from nmguard.apps.quality.document_attention import documents_attention, peer_review_attention

        ATTENTION_PROVIDERS.append(documents_attention)
        ATTENTION_PROVIDERS.append(peer_review_attention)

        from nmguard.apps.quality.capa_escalation import capa_attention

        ATTENTION_PROVIDERS.append(capa_attention)

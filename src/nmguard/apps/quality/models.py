"""The quality system's records: corrective and preventive actions here, and one module per part (incidents, audits,
training and competence, documents and peer review, management reviews), imported so that their models register
with the app."""

from nmguard.apps.quality import audit_models, document_models, incident_models, review_models, training_models  # noqa: F401
from nmguard.apps.quality.capa_models import CorrectiveAction  # noqa: F401

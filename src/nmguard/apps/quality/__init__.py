"""Quality management: audits, findings, corrective actions, incidents, training, documents."""

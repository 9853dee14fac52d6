"""Core: users and roles, the department, the audit trail and e-signatures."""

"""Data exchange with other systems (FHIR). Pure layer, no Django."""

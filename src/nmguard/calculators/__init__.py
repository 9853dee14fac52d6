"""The façade the CLI and the API share: text in as a person types it, a JSON-ready dict out; one module per area."""

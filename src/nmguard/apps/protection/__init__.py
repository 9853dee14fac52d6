"""Staff and public protection: dosimetry records, surveys, sealed sources."""

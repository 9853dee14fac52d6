"""Hot lab: radiopharmaceutical catalogue, generators, preparations, release, dispensing, waste."""

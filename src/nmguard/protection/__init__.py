"""Radiation protection, pure part: dosimeter readings, staff dose sums against the profile's limits, and the
embryo/fetus dose of a declared pregnant worker. The ``protection`` Django app stores and audits; the
calculations live here. Pure: no Django."""

"""Physics core: units at the edges, decay, cumulated activity, parent/daughter ingrowth. SI inside."""

from nmguard.physics.decay import (
    DecayResult,
    activity_concentration,
    cumulated_activity,
    decay_activity,
    decay_factor,
    elapsed_seconds,
)
from nmguard.physics.ingrowth import daughter_activity, parent_daughter_activity
from nmguard.physics.units import format_activity, parse_activity, parse_instant

__all__ = [
    "DecayResult",
    "activity_concentration",
    "cumulated_activity",
    "daughter_activity",
    "decay_activity",
    "decay_factor",
    "elapsed_seconds",
    "format_activity",
    "parent_daughter_activity",
    "parse_activity",
    "parse_instant",
]

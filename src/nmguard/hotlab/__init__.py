"""Hot-lab calculations (pure layer, no Django): generators (elution yield, breakthrough) and dosing
(activity concentration, draw volume, expiry)."""

from nmguard.hotlab.dosing import concentration_at, draw_volume, expiry
from nmguard.hotlab.generators import available_activity, breakthrough, elution_yield

__all__ = ["available_activity", "breakthrough", "concentration_at", "draw_volume", "elution_yield", "expiry"]

"""Patient dosimetry (pure layer, no Django): effective dose from reference coefficients."""

from nmguard.dosimetry.effective_dose import EffectiveDoseResult, age_group_for, effective_dose

__all__ = ["EffectiveDoseResult", "age_group_for", "effective_dose"]

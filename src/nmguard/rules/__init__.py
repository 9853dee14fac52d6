"""Pure rules (no Django): administration tolerance, paediatric activity, medical / unintended-exposure
events, pregnancy and breast-feeding questions, DRL audits. Plain values in, frozen results out, each
naming the rule or reference that decided (source id + status) and carrying warnings."""

from nmguard.rules.drl import DrlAudit, DrlStatistics, drl_audit
from nmguard.rules.medical_events import Criterion, MedicalEventEvaluation, evaluate_administration
from nmguard.rules.paediatric import PaediatricActivity, paediatric_activity
from nmguard.rules.pregnancy import BreastfeedingResult, PregnancyQuestion, breastfeeding_check, should_ask_pregnancy
from nmguard.rules.tolerance import ToleranceResult, check_tolerance, deviation_percent

__all__ = [
    "BreastfeedingResult",
    "Criterion",
    "DrlAudit",
    "DrlStatistics",
    "MedicalEventEvaluation",
    "PaediatricActivity",
    "PregnancyQuestion",
    "ToleranceResult",
    "breastfeeding_check",
    "check_tolerance",
    "deviation_percent",
    "drl_audit",
    "evaluate_administration",
    "paediatric_activity",
    "should_ask_pregnancy",
]

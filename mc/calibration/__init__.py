"""Deriving the default unit costs, baseline and spreads from published figures and SSB data.

This is how the numbers in ``configs/tables`` were made; ``tbu-mc calibrate`` reruns it.
"""

from mc.calibration.baseline import (
    MortalityFit,
    fit_mortality,
    history_spreads,
    net_migration_profile,
    project_one_year,
)
from mc.calibration.fit import CalibrationResult, calibrate

__all__ = [
    "CalibrationResult",
    "MortalityFit",
    "calibrate",
    "fit_mortality",
    "history_spreads",
    "net_migration_profile",
    "project_one_year",
]

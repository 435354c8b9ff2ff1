"""The sector's economy on top of the demographic costs: drivers, dependence, accounts.

:class:`EconomyModel` wraps the demographic model of a configuration when the configuration has
an ``economy`` section (:func:`mc.workflow.build.build_cost_model` decides). The accounts are in
:mod:`mc.kernels.economy`.

The net operating result's one-year spread in history (``sd_pct``, the residual sd of an AR(1) on
1990-2023) is split between the modelled drivers and a residual: ``residual_sd`` is what is left
after the drivers' own contribution in the first projected year, so the total spread stays at the
historical one however the drivers are set (and a warning says so if the drivers alone exceed it).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mc.kernels.economy import DRIVERS, OUTPUTS, EconomyInputs, accounts_numba, accounts_numpy
from mc.model.demographic import (
    VARIABLE_DIMS,
    DemographicModel,
    ProjectedCostModel,
)
from mc.model.economy_spec import EconomySpec
from mc.sampling.dependence import gaussian_copula_uniforms, iman_conover
from mc.sampling.marginals import check_probability

if TYPE_CHECKING:
    from mc.model.component_costs import ComponentCostModel

ECONOMY_DIMS: dict[str, tuple[str, ...]] = {name: ("scenario", "year") for name in OUTPUTS}
_EXPLAINED_DRAWS = 200_000  # draws used to measure the drivers' share of the historical spread


def economy_inputs(spec: EconomySpec) -> EconomyInputs:
    """Kernel inputs from the ``economy`` section."""
    return EconomyInputs(
        deflator_b=spec.plan_array("deflator_pct"),
        tax_growth_b=spec.plan_array("tax_growth_pct"),
        real_growth_plan=spec.plan_array("real_growth_free_revenues_bn"),
        pension=spec.plan_array("pension_bn"),
        demographic_b=spec.plan_array("demographic_free_bn"),
        free_revenues0=spec.free_revenues_bn,
        taxes0=spec.tax_revenues_bn,
        revenues0=spec.operating_revenues_bn,
        ndr0=spec.net_operating_result_pct,
        mu=spec.ndr_equilibrium_pct,
        phi=spec.ndr_persistence,
        debt_share=spec.net_debt_share,
        wage_weight=spec.wage_weight,
    )


def draw_drivers(rng: np.random.Generator, n: int, spec: EconomySpec, years: int) -> np.ndarray:
    """Driver draws ``(n, years, 4)`` with the configured marginals and rank correlation.

    Each year is drawn separately (surprises are independent from year to year); within a year the
    four drivers are tied by Iman-Conover reordering or the Gaussian copula.
    """
    spearman = np.array(spec.spearman)
    out = np.empty((n, years, len(DRIVERS)))
    for t in range(years):
        if spec.method == "gaussian-copula":
            u = check_probability(gaussian_copula_uniforms(rng, n, spearman))
            out[:, t] = np.column_stack([m.ppf(u[:, j]) for j, m in enumerate(spec.drivers)])
        else:
            u = check_probability(rng.random((n, len(DRIVERS))))
            raw = np.column_stack([m.ppf(u[:, j]) for j, m in enumerate(spec.drivers)])
            out[:, t] = iman_conover(raw, spearman, rng)
    return out


def explained_sd(spec: EconomySpec) -> float:
    """Spread (pp) of the first year's net operating result that the drivers alone produce."""
    x = economy_inputs(spec)
    rng = np.random.default_rng(20240321)  # fixed: a property of the config, not of a run
    s = draw_drivers(rng, _EXPLAINED_DRAWS, spec, 1)[:, 0]
    w, p, tau, i = s.T
    deflator = x.deflator_b[0] + x.wage_weight * w + (1 - x.wage_weight) * p
    extra_tax = x.taxes0 * (1 + x.tax_growth_b[0] / 100) * tau / 100
    shock = (
        extra_tax
        - x.free_revenues0 * (deflator - x.deflator_b[0]) / 100
        - x.debt_share * x.revenues0 * i / 100
    )
    return float(np.std(100 * shock / x.revenues0))


def residual_sd(spec: EconomySpec) -> float:
    """The part of the historical one-year spread the drivers leave unexplained (pp)."""
    explained = explained_sd(spec)
    if explained > spec.ndr_sd_pct:
        warnings.warn(
            f"the economic drivers alone give the net operating result a one-year spread of "
            f"{explained:.2f} pp, more than the historical {spec.ndr_sd_pct:.2f} pp; no residual "
            "is added",
            stacklevel=2,
        )
        return 0.0
    return float(np.sqrt(spec.ndr_sd_pct**2 - explained**2))


@dataclass(frozen=True)
class EconomyModel:
    """Demographic costs and the sector's accounts, drawn together."""

    demographic: DemographicModel | ProjectedCostModel | ComponentCostModel
    spec: EconomySpec
    residual_sd: float
    years: tuple[int, ...]  # reported years (the demographic model's)

    @property
    def coords(self) -> dict[str, list]:
        """Coordinates of the non-sample dimensions."""
        return self.demographic.coords

    @property
    def dims(self) -> dict[str, tuple[str, ...]]:
        """Dimensions of each variable beyond the draw."""
        return {**VARIABLE_DIMS, **ECONOMY_DIMS}

    def _demographic_paths(self, out: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Demographic costs on the economy's years; unmodelled years take the budget figure."""
        free, total = out["demographic_cost_free_bn"], out["demographic_cost_total_bn"]
        n, n_scen = free.shape[:2]
        plan = self.spec.plan_array("demographic_free_bn")
        free_path = np.broadcast_to(plan, (n, n_scen, plan.size)).copy()
        total_path = free_path.copy()
        for j, year in enumerate(self.spec.years):
            if year in self.years:
                k = self.years.index(year)
                free_path[:, :, j] = free[:, :, k]
                total_path[:, :, j] = total[:, :, k]
        return free_path, total_path

    def _report(self, accounts: np.ndarray) -> dict[str, np.ndarray]:
        keep = [self.spec.years.index(y) for y in self.years]
        return {name: accounts[:, :, keep, k] for k, name in enumerate(OUTPUTS)}

    def simulate(
        self, rng: np.random.Generator, n: int, backend: str = "numba"
    ) -> dict[str, np.ndarray]:
        """Draw ``n`` joint outcomes (demographic and economic streams are separate children)."""
        demographic_rng, economy_rng = rng.spawn(2)
        out = self.demographic.simulate(demographic_rng, n, backend)
        free, total = self._demographic_paths(out)
        years = len(self.spec.years)
        surprises = draw_drivers(economy_rng, n, self.spec, years)
        residual = economy_rng.standard_normal((n, years)) * self.residual_sd
        run = accounts_numba if backend == "numba" else accounts_numpy
        accounts = run(economy_inputs(self.spec), surprises, residual, free, total)
        return {**out, **self._report(accounts)}

    def point_estimates(self, demographic: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Every driver at its centre, no residual, the demographic point estimates."""
        single = {name: value[None] for name, value in demographic.items()}
        free, total = self._demographic_paths(single)
        years = len(self.spec.years)
        centres = np.array([m.centre for m in self.spec.drivers])
        surprises = np.broadcast_to(centres, (1, years, len(DRIVERS)))
        accounts = accounts_numpy(
            economy_inputs(self.spec), surprises, np.zeros((1, years)), free, total
        )
        return {name: value[0] for name, value in self._report(accounts).items()}


# ---------------------------------------------------------------------------------------------
# history of the net operating result


def fit_ndr(series: pd.Series) -> tuple[float, float, float]:
    """AR(1) fit ``x_t = mu + phi (x_{t-1} - mu) + e``: returns ``mu``, ``phi``, sd of ``e``."""
    x = series.to_numpy(dtype=float)
    design = np.column_stack([np.ones(x.size - 1), x[:-1]])
    (a, phi), *_ = np.linalg.lstsq(design, x[1:], rcond=None)
    residual = x[1:] - design @ np.array([a, phi])
    return float(a / (1 - phi)), float(phi), float(residual.std(ddof=2))


def ndr_backtest(series: pd.Series, first: int, last: int) -> pd.DataFrame:
    """One-year-ahead AR(1) bands for ``first..last``, each fitted on the years before it.

    Returns a frame with ``year, actual, mean, sd`` and whether the 50/80/90 % bands covered it.
    """
    from scipy import stats

    rows = []
    for year in range(first, last + 1):
        past = series.loc[: year - 1]
        mu, phi, sd = fit_ndr(past)
        mean = mu + phi * (past.iloc[-1] - mu)
        actual = float(series.loc[year])
        row = {"year": year, "actual": actual, "mean": mean, "sd": sd}
        for level in (50, 80, 90):
            half = stats.norm.ppf(0.5 + level / 200) * sd
            row[f"in_{level}"] = abs(actual - mean) <= half
        rows.append(row)
    return pd.DataFrame(rows)

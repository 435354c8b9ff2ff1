"""The sector's economy on top of the demographic costs: surprises, dependence, accounts.

:class:`EconomyModel` wraps the demographic model of a configuration when the configuration has
an ``economy`` section (:func:`mc.workflow.build.build_cost_model` decides). The accounts are in
:mod:`mc.kernels.economy`.

The surprises (outcome minus budget-time forecast) come from two places:

- the deflator (pp) and the sector's taxes (bn kr) from the forecast-error record
  (``surprises.table``, :mod:`mc.model.forecast_errors`) as it stood on the configuration's
  ``as_of``: rows published later are left out, and each surprise is drawn from the conjugate
  Student-t predictive of its sample (a tiny sample gives few degrees of freedom and a wide,
  heavy-tailed predictive; the sample's bias is kept as the predictive's location);
- the interest surprise from a stated marginal (no forecast-error record for it yet).

Real growth in free revenues has no surprise of its own: it is the identity
``RG = FI - FI[t-1] (1 + d)``, so its surprise is the tax surprise minus the deflator surprise
on last year's free revenues. The record of real-growth errors (one or no figure per unit as of
2024) is kept beside the run for comparison (:func:`error_fits` with ``real_growth=True``).

The sector's net operating result follows an AR(1) fitted on the post-2014 regime; its one-year
spread (``sd_pct``) is split between the modelled surprises and a Student-t residual, whose size
is what the surprises leave: ``sqrt(sd^2 - explained^2)`` with ``explained`` measured robustly
(interquartile range / 1.349) because the surprises may have infinite variance. Municipalities
and counties are the sector's result plus a stated gap and a level residual.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mc.errors import ConfigError, TbuMcWarning
from mc.kernels.economy import (
    DRIVERS,
    OUTPUTS,
    SURVEY_GIVEN,
    EconomyInputs,
    SurveyConditioning,
    accounts_numba,
    accounts_numpy,
    report_numba,
)
from mc.model.demographic import (
    VARIABLE_DIMS,
    DemographicModel,
    ProjectedCostModel,
)
from mc.model.economy_spec import ECONOMY_OUTPUTS, LEVEL_OUTPUTS, LEVELS, EconomySpec
from mc.sampling.dependence import gaussian_copula_uniforms, iman_conover
from mc.sampling.marginals import check_probability

if TYPE_CHECKING:
    from mc.model.component_costs import ComponentCostModel

ECONOMY_DIMS: dict[str, tuple[str, ...]] = {name: ("scenario", "year") for name in ECONOMY_OUTPUTS}
_EXPLAINED_DRAWS = 200_000  # draws used to measure the surprises' share of the historical spread
_IQR_PER_SD = 1.3489795003921634  # interquartile range of a standard normal
#: Draws of the accounts computed at a time on the compiled path: their ``(S, Y, 8)`` results
#: (about 1.5 MB for 3 scenarios and 2 years) stay in cache until reported.
_CHUNK = 4096
#: The real-growth samples compared with the implied real-growth surprise (not drawn).
REAL_GROWTH_VARIABLES = ("real_growth_free_revenues_bn", "real_growth_free_revenues_pct")


@dataclass(frozen=True)
class FittedSurprise:
    """A surprise drawn from the predictive of a forecast-error fit (a location-scale t)."""

    variable: str
    df: float
    loc: float
    scale: float

    @property
    def centre(self) -> float:
        """The expected surprise: the location (the mean, for more than one degree of freedom)."""
        return self.loc

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantiles at probabilities ``u``."""
        from scipy import stats

        return np.asarray(stats.t.ppf(u, self.df, self.loc, self.scale))

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws: ``loc + scale * T`` with ``T`` Student-t (``df``).

        Drawn directly (a normal over the root of a scaled chi-square, NumPy's ``standard_t``),
        about ten times faster than the quantile function on uniforms (``scipy``'s ``stdtrit``
        is iterative) and the same distribution; a test compares the two.
        """
        draws = rng.standard_t(self.df, n)
        draws *= self.scale  # in place: the same numbers as loc + scale * T, no temporaries
        draws += self.loc
        return draws


def error_fits(spec: EconomySpec, real_growth: bool = False) -> dict[str, Any]:
    """The forecast-error fits behind the surprises, as of the configuration's ``as_of``.

    Parameters
    ----------
    spec : EconomySpec
        The economy section (its ``as_of`` is the configuration's).
    real_growth : bool
        Also fit the real-growth samples (reported, not drawn).

    Returns
    -------
    dict
        Driver name (or real-growth variable) to :class:`mc.model.forecast_errors.ErrorFit`;
        each fit's ``origin`` is the sample with the rows left out for being published later.
    """
    from mc.model.forecast_error_table import parse_forecast_errors

    table = parse_forecast_errors(spec.error_table, spec.source or "economy.surprises.table")
    as_of = spec.as_of.isoformat() if spec.as_of else "9999-12-31"
    fits: dict[str, Any] = {}
    for driver, src in spec.error_sources().items():
        sample = table.sample(src.variable, as_of, horizons=src.horizons, late="drop")
        fits[driver] = sample.fit()
    if real_growth:
        for variable in REAL_GROWTH_VARIABLES:
            if variable in table.variables:
                horizons = ("budget", "revised")
                fits[variable] = table.sample(variable, as_of, horizons=horizons, late="drop").fit()
    return fits


def surprise_marginals(spec: EconomySpec) -> tuple[Any, ...]:
    """One marginal per driver, in the order of :data:`DRIVERS`."""
    fits = error_fits(spec)
    out: list[Any] = []
    for name in DRIVERS:
        if name in fits:
            p = fits[name].predictive
            out.append(FittedSurprise(fits[name].origin.variable, p.df, p.loc, p.scale))
        else:
            out.append(spec.interest)
    return tuple(out)


def economy_inputs(spec: EconomySpec, marginals: tuple[Any, ...] | None = None) -> EconomyInputs:
    """Kernel inputs from the ``economy`` section (``marginals`` give the surprises' centres)."""
    if marginals is None:
        marginals = surprise_marginals(spec)
    lag = np.array(spec.years) - np.array(spec.demographic_price_years())
    return EconomyInputs(
        deflator_b=spec.plan_array("deflator_pct"),
        tax_growth_b=spec.plan_array("tax_growth_pct"),
        real_growth_plan=spec.plan_array("real_growth_free_revenues_bn"),
        pension=spec.plan_array("pension_bn"),
        demographic_b=spec.plan_array("demographic_free_bn"),
        demographic_lag=lag.astype(np.int64),
        free_revenues0=spec.free_revenues_bn,
        taxes0=spec.tax_revenues_bn,
        revenues0=spec.operating_revenues_bn,
        ndr0=spec.net_operating_result_pct,
        mu=spec.ndr_equilibrium_pct,
        phi=spec.ndr_persistence,
        debt_share=spec.net_debt_share,
        surprise_centre=np.array([m.centre for m in marginals], dtype=float),
    )


def draw_drivers(
    rng: np.random.Generator,
    n: int,
    spec: EconomySpec,
    years: int,
    marginals: tuple[Any, ...] | None = None,
) -> np.ndarray:
    """Surprise draws ``(n, years, 3)`` with the fitted marginals and the rank correlation.

    Each year is drawn separately (surprises are independent from year to year); within a year the
    three surprises are tied by Iman-Conover reordering or the Gaussian copula.
    """
    if marginals is None:
        marginals = surprise_marginals(spec)
    spearman = np.array(spec.spearman)
    out = np.empty((n, years, len(DRIVERS)))
    for t in range(years):
        if spec.method == "gaussian-copula":
            u = check_probability(gaussian_copula_uniforms(rng, n, spearman))
            out[:, t] = np.column_stack([m.ppf(u[:, j]) for j, m in enumerate(marginals)])
        else:
            # Iman-Conover only reorders each column, so any independent sample of a marginal
            # will do: each marginal draws its own (the fitted t's directly, not by quantiles)
            raw = np.column_stack([m.draw(rng, n) for m in marginals])
            out[:, t] = iman_conover(raw, spearman, rng)
    return out


def explained_sd(spec: EconomySpec, marginals: tuple[Any, ...] | None = None) -> float:
    """Robust spread (pp; IQR / 1.349) of the first year's result that the surprises produce."""
    if marginals is None:
        marginals = surprise_marginals(spec)
    x = economy_inputs(spec, marginals)
    rng = np.random.default_rng(20240321)  # fixed: a property of the config, not of a run
    e_d, e_t, i = draw_drivers(rng, _EXPLAINED_DRAWS, spec, 1, marginals)[:, 0].T
    shock = e_t - x.free_revenues0 * e_d / 100 - x.debt_share * x.revenues0 * i / 100
    # the spread does not depend on the centres, so they are left in
    q25, q75 = np.percentile(100 * shock / x.revenues0, [25, 75])
    return float((q75 - q25) / _IQR_PER_SD)


def residual_sd(spec: EconomySpec) -> float:
    """The part of the historical one-year spread the surprises leave unexplained (pp)."""
    explained = explained_sd(spec)
    if explained > spec.ndr_sd_pct:
        warnings.warn(
            TbuMcWarning(
                f"the economic surprises alone give the net operating result a one-year spread "
                f"of {explained:.2f} pp (IQR/1.349), more than the historical "
                f"{spec.ndr_sd_pct:.2f} pp; no residual is added",
                "no_ndr_residual",
                explained=round(explained, 2),
                historical=round(spec.ndr_sd_pct, 2),
            ),
            stacklevel=2,
        )
        return 0.0
    return float(np.sqrt(spec.ndr_sd_pct**2 - explained**2))


#: The forecast-error variables holding KS's budget surveys against outcomes, by level.
SURVEY_VARIABLES = {level: f"net_operating_result_{level}_pct" for level in LEVELS}


def budget_gap_fit(spec: EconomySpec) -> Any:
    """The gap ``realised - budgeted`` net operating result, as known on the config's ``as_of``.

    The budget-survey rows of both levels in the forecast-error table (``surprises.table``)
    whose survey and outcome were both public on ``as_of`` are pooled into one sample (a handful
    of years per level: too few to tell the levels apart) and fitted with the conjugate
    Student-t of :func:`mc.model.forecast_errors.fit_errors` under the levels' shared prior
    (``PRIORS``): ``n + 1`` degrees of freedom, never narrower than the sample.

    Returns
    -------
    mc.model.forecast_errors.ErrorFit
        The pooled fit; ``errors`` are the gaps used, in the table's order (municipalities,
        then counties, by year).
    """
    from mc.model.forecast_error_table import parse_forecast_errors
    from mc.model.forecast_errors import PRIORS, fit_errors

    table = parse_forecast_errors(spec.error_table, spec.source or "economy.surprises.table")
    as_of = spec.as_of.isoformat() if spec.as_of else "9999-12-31"
    gaps: list[float] = []
    for variable in SURVEY_VARIABLES.values():
        if variable in table.variables:
            sample = table.sample(variable, as_of, horizons=("budget",), late="drop")
            gaps += sample.errors.tolist()
    return fit_errors(gaps, PRIORS[SURVEY_VARIABLES["municipalities"]])


def t_unit(rng: np.random.Generator, df: float, size: Any) -> np.ndarray:
    """Student-t draws scaled to unit variance (``df > 2``)."""
    draws = rng.standard_t(df, size=size)
    draws *= math.sqrt((df - 2) / df)  # in place: no second array of the block's size
    return draws


def split_streams(rng: np.random.Generator) -> tuple[np.random.Generator, np.random.Generator]:
    """A block's stream split into the demographic model's child and the economy's.

    :class:`EconomyModel` and :class:`DemographicPart` both draw through this, so their
    demographic costs are the same draws.
    """
    demographic_rng, economy_rng = rng.spawn(2)
    return demographic_rng, economy_rng


@dataclass(frozen=True)
class EconomyModel:
    """Demographic costs and the sector's accounts, drawn together."""

    demographic: DemographicModel | ProjectedCostModel | ComponentCostModel
    spec: EconomySpec
    residual_sd: float
    years: tuple[int, ...]  # reported years (the demographic model's)
    marginals: tuple[Any, ...] = field(default=(), compare=False)
    #: The predictive of the budget survey's gap (``None`` without a survey).
    survey_gap: Any = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.marginals:  # fitted once, where the model is built
            object.__setattr__(self, "marginals", surprise_marginals(self.spec))
        if self.spec.budget_survey is not None and self.survey_gap is None:
            object.__setattr__(self, "survey_gap", budget_gap_fit(self.spec).predictive)

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

    def _report(
        self, accounts: np.ndarray, levels: np.ndarray, every_year: bool = False
    ) -> dict[str, np.ndarray]:
        years = self.spec.years if every_year else self.years
        keep = [self.spec.years.index(y) for y in years]
        out = {name: accounts[:, :, keep, k] for k, name in enumerate(OUTPUTS)}
        for k, name in enumerate(LEVEL_OUTPUTS):
            out[name] = levels[:, :, keep, k]
        return out

    def _difference(self, noise: np.ndarray) -> np.ndarray:
        """Counties minus municipalities, ``(n, 1, Y)``, from the unit noise ``(n, Y)``."""
        lv = self.spec.levels
        return lv.difference_pct + lv.difference_sd_pct * noise[:, None, :]

    def _levels(self, accounts: np.ndarray, delta: np.ndarray) -> np.ndarray:
        """Municipalities' and counties' results around the sector's, ``(n, S, Y, 2)``.

        ``delta`` (broadcasting to ``(n, S, Y)``) is the counties-minus-municipalities
        difference; the revenue-weighted mean of the two levels stays the sector's result in
        every draw.
        """
        lv = self.spec.levels
        sector = accounts[..., OUTPUTS.index("net_operating_result_pct")]
        return np.stack(
            [sector - lv.county_share * delta, sector + (1 - lv.county_share) * delta], axis=-1
        )

    def _survey_level(self) -> tuple[str | None, float]:
        """The level the survey gives beside the sector's, and what its gap is divided by.

        Raises
        ------
        ConfigError
            If that division is by zero (a county share of 0 or 1).
        """
        assert self.spec.budget_survey is not None  # called only with a survey
        given = self.spec.budget_survey.given()
        w = self.spec.levels.county_share
        level = next((name for name in given if name != "sector"), None)
        divisor = {"counties": 1 - w, "municipalities": w}.get(level or "", 1.0)
        if divisor == 0:
            raise ConfigError(
                "economy.net_operating_result.levels.county_share",
                w,
                f"strictly between 0 and 1 when the budget survey gives the {level}' result "
                "beside the sector's",
            )
        return level, divisor

    def _survey(
        self, accounts: np.ndarray, delta: np.ndarray, gap: np.ndarray
    ) -> tuple[int, np.ndarray, np.ndarray] | None:
        """The survey year's position, sector result and difference (see :meth:`_condition`)."""
        survey = self.spec.budget_survey
        if survey is None:
            return None
        j = self.spec.years.index(survey.year)
        k = OUTPUTS.index("net_operating_result_pct")
        w = self.spec.levels.county_share
        target = {level: value + gap[:, None] for level, value in survey.given().items()}
        sector0 = accounts[:, :, j, k]
        d0 = np.broadcast_to(delta, (*sector0.shape, accounts.shape[2]))[:, :, j]
        if "sector" not in target:
            m = target.get("municipalities", sector0 - w * d0)
            c = target.get("counties", sector0 + (1 - w) * d0)
            sector, d = (1 - w) * m + w * c, c - m
        else:
            sector = target["sector"]
            level, divisor = self._survey_level()
            if level == "counties":
                d = (target["counties"] - sector) / divisor
            elif level == "municipalities":
                d = (sector - target["municipalities"]) / divisor
            else:
                d = d0
        return j, np.broadcast_to(sector, sector0.shape), d

    def _condition(
        self, accounts: np.ndarray, delta: np.ndarray, gap: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The survey year's results set to ``budgeted + gap``, later years following the AR(1).

        ``gap`` ``(n,)`` is one draw per path, shared by the levels the survey gives (their
        gaps moved together in every year of the record). Without the sector's figure, a level
        the survey does not give stays as drawn and the sector is the revenue-weighted mean of
        the two (news about the counties does not move the municipalities); with it, the
        sector is pinned and the difference follows from the level given beside it (or stays
        as drawn). A change in the survey year's sector result carries into later years as
        ``phi**k``, exactly as the AR(1) would have carried it.
        """
        survey = self._survey(accounts, delta, gap)
        if survey is None:
            return accounts, delta
        j, sector, d = survey
        k = OUTPUTS.index("net_operating_result_pct")
        sector0 = accounts[:, :, j, k]
        delta = np.broadcast_to(delta, (*sector0.shape, accounts.shape[2])).copy()
        shift = sector - sector0
        accounts[:, :, j, k] = sector
        for t in range(j + 1, accounts.shape[2]):
            accounts[:, :, t, k] += self.spec.ndr_persistence ** (t - j) * shift
        delta[:, :, j] = d
        return accounts, delta

    def simulate(
        self, rng: np.random.Generator, n: int, backend: str = "numba", every_year: bool = False
    ) -> dict[str, np.ndarray]:
        """Draw ``n`` joint outcomes (demographic and economic streams are separate children).

        The economy's outputs cover the reported years, or with ``every_year`` every planned
        year (:attr:`EconomySpec.years`, from the year after the base year).
        """
        demographic_rng, economy_rng = split_streams(rng)
        out = self.demographic.simulate(demographic_rng, n, backend)
        free, total = self._demographic_paths(out)
        years = len(self.spec.years)
        surprises = draw_drivers(economy_rng, n, self.spec, years, self.marginals)
        residual = t_unit(economy_rng, self.spec.ndr_df, (n, years))
        residual *= self.residual_sd
        noise = t_unit(economy_rng, self.spec.ndr_df, (n, years))
        inputs = economy_inputs(self.spec, self.marginals)
        delta = self._difference(noise)
        gap = None
        if self.survey_gap is not None:  # drawn last: without a survey the stream is unchanged
            g = self.survey_gap
            gap = g.loc + g.scale * economy_rng.standard_t(g.df, n)
        if backend == "numba":
            paths = (surprises, residual, free, total)
            return {**out, **self._report_fused(inputs, paths, delta, gap, every_year)}
        accounts = accounts_numpy(inputs, surprises, residual, free, total)
        if gap is not None:
            accounts, delta = self._condition(accounts, delta, gap)
        economy = self._report(accounts, self._levels(accounts, delta), every_year)
        return {**out, **economy}

    def _conditioning(self, gap: np.ndarray) -> SurveyConditioning | None:
        """The budget survey as :func:`report_numba` reads it (``None`` without a survey)."""
        survey = self.spec.budget_survey
        if survey is None:
            return None
        given = survey.given()
        if "sector" in given:
            self._survey_level()  # the reference's check of the level's divisor
        j = self.spec.years.index(survey.year)
        phi = self.spec.ndr_persistence
        return SurveyConditioning(
            j,
            np.array([given.get(name, 0.0) for name in SURVEY_GIVEN]),
            np.array([name in given for name in SURVEY_GIVEN]),
            gap,
            np.array([phi ** (t - j) if t > j else 0.0 for t in range(len(self.spec.years))]),
        )

    def _report_fused(
        self,
        inputs: EconomyInputs,
        paths: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        delta: np.ndarray,
        gap: np.ndarray | None,
        every_year: bool,
    ) -> dict[str, np.ndarray]:
        """The accounts, then :meth:`_condition`, :meth:`_levels` and :meth:`_report` compiled.

        ``paths`` are the accounts' draws ``(surprises, residual, free, total)``. Draws are
        independent in the accounts, so they run :data:`_CHUNK` draws at a time, each chunk's
        accounts read back while still in cache by :func:`report_numba`, which writes each
        output once; the block's whole ``(n, S, Y, 8)`` accounts are never held. The same
        numbers to the bit as the NumPy steps on :func:`accounts_numba` (a test compares them).
        """
        conditioning = None if gap is None else self._conditioning(gap)
        years = self.spec.years if every_year else self.years
        keep = np.array([self.spec.years.index(y) for y in years], dtype=np.int64)
        share = self.spec.levels.county_share
        n, n_scen = paths[2].shape[:2]
        arrays = np.empty((len(OUTPUTS) + len(LEVEL_OUTPUTS), n, n_scen, keep.size))
        for lo in range(0, n, _CHUNK):
            part = slice(lo, lo + _CHUNK)
            accounts = accounts_numba(inputs, *(p[part] for p in paths))
            survey = None
            if conditioning is not None:
                survey = conditioning._replace(gap=conditioning.gap[part])
            report_numba(accounts, delta[part], keep, share, survey, arrays[:, part])
        return dict(zip((*OUTPUTS, *LEVEL_OUTPUTS), arrays, strict=True))

    def point_estimates(self, demographic: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Every surprise at its expected value, no residual, the demographic point estimates."""
        single = {name: value[None] for name, value in demographic.items()}
        free, total = self._demographic_paths(single)
        years = len(self.spec.years)
        centres = np.array([m.centre for m in self.marginals])
        surprises = np.broadcast_to(centres, (1, years, len(DRIVERS)))
        accounts = accounts_numpy(
            economy_inputs(self.spec, self.marginals), surprises, np.zeros((1, years)), free, total
        )
        delta = self._difference(np.zeros((1, years)))
        if self.survey_gap is not None:  # the gap at its centre (the location of its t)
            accounts, delta = self._condition(accounts, delta, np.array([self.survey_gap.loc]))
        levels = self._levels(accounts, delta)
        return {name: value[0] for name, value in self._report(accounts, levels).items()}


@dataclass(frozen=True)
class DemographicPart:
    """The demographic costs of an :class:`EconomyModel`, without drawing its economy.

    :meth:`EconomyModel.simulate` splits each block's stream into two children and gives the
    first to the demographic model. This model draws from that same first child, so its outputs
    are the economy model's demographic outputs bit for bit, at none of the economy's cost (its
    marginals, Iman-Conover, t draws and accounts). A run that needs only the demographic costs
    (the other view of a two-view configuration) draws this instead.
    """

    demographic: DemographicModel | ProjectedCostModel | ComponentCostModel

    @property
    def coords(self) -> dict[str, list]:
        """Coordinates of the non-sample dimensions."""
        return self.demographic.coords

    @property
    def dims(self) -> dict[str, tuple[str, ...]]:
        """Dimensions of each variable beyond the draw: the demographic model's."""
        return self.demographic.dims

    def simulate(
        self, rng: np.random.Generator, n: int, backend: str = "numba"
    ) -> dict[str, np.ndarray]:
        """Draw ``n`` outcomes of the demographic costs from the stream's first child."""
        demographic_rng, _ = split_streams(rng)
        return self.demographic.simulate(demographic_rng, n, backend)


# ---------------------------------------------------------------------------------------------
# history of the net operating result


def fit_ndr(series: pd.Series) -> tuple[float, float, float]:
    """AR(1) fit ``x_t = mu + phi (x_{t-1} - mu) + e``: returns ``mu``, ``phi``, sd of ``e``."""
    x = series.to_numpy(dtype=float)
    design = np.column_stack([np.ones(x.size - 1), x[:-1]])
    (a, phi), *_ = np.linalg.lstsq(design, x[1:], rcond=None)
    residual = x[1:] - design @ np.array([a, phi])
    return float(a / (1 - phi)), float(phi), float(residual.std(ddof=2))


#: The first year of TBU's present norm for the net operating result (2 % for the sector, down
#: from 3 %): the regime the shipped fits use.
REGIME_START = 2014


def fit_ndr_regime(series: pd.Series, last: int, first: int = REGIME_START) -> dict[str, float]:
    """The AR(1) of :func:`fit_ndr` on ``first..last``, with a predictive that owns its doubt.

    Returns ``mu``, ``phi``, ``sd`` (residual, ``n - 2`` degrees of freedom), ``pairs`` (the
    number of year-on-year pairs), ``df = pairs - 2`` and ``sd_pct = sd * sqrt(1 + 1 / pairs)``:
    the one-year spread with the doubt about the level added, drawn as a Student t with ``df``
    degrees of freedom (a short regime widens the tails, never narrows them).
    """
    window = series.loc[first:last]
    mu, phi, sd = fit_ndr(window)
    pairs = window.size - 1
    return {
        "mu": mu,
        "phi": phi,
        "sd": sd,
        "pairs": float(pairs),
        "df": float(pairs - 2),
        "sd_pct": sd * math.sqrt(1 + 1 / pairs),
    }


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

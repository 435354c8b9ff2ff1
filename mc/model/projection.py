"""Fitting the stochastic population projection from SSB's stock data.

National: Hamilton-Perry cohort-change ratios (CCRs) and child-woman ratios. The forecast carries
the last observed CCRs forward as a random walk. Its yearly step is Gaussian with the covariance,
across all ages and both sexes, of the historical year-on-year changes of the CCR vector (the
last ``history_years`` of them), times ``scale``. ``scale`` = 1.1 was set by backtesting origins
1996-2009 only (data from 1986 up to each origin): pooled coverage of the nominal 80 % bands was
0.76 at 1.0 and 0.85 at 1.2. History within the window understates the volatility ahead, as fan
charts calibrated on calm years tend to.

Two trends ride on the walk; their settings were chosen by the mean 80 % interval score of the
broad groups over origins 1998-2009 (origins 2010-2023 are kept for the reported backtest):

* Fertility. The child-woman ratio keeps its average change over the last
  ``fertility_drift_years`` years (fertility moved one way for a decade: down from 2009 to 2020),
  but that trend is itself uncertain, so each draw shifts it by a normal error whose sd is
  ``fertility_drift_sd`` times the spread of rolling ``fertility_drift_years``-year average
  changes in the history (factor 2; interval score of 0-5 3.26 at 0, 3.20 at 1, 3.13 at 2 and
  2.5, 3.20 at 3). Trend turns, such as 2009's, are what the wider paths are for.
* Mortality (off by default). From ``mortality_age`` the ratios are mostly survival, which
  improves steadily: they can keep their average change over the last ``mortality_drift_years``
  years, with the random step there scaled by ``mortality_scale`` (survival fluctuates around a
  trend rather than walking away from it). On origins 1998-2009 this won (mean interval score of
  all groups 2.34 without; 2.03 from age 60 at scale 0.5), but on origins 2010-2023 it lost
  (67-79 coverage 0.31 / 0.67 / 0.77 instead of 0.54 / 0.85 / 0.95): the pandemic years broke the
  trend. The default keeps the plain walk (``mortality_age`` = 106 switches it off).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import nnls

from mc.errors import ConfigError, DataError
from mc.kernels.projection import WOMEN, advance, group_sums
from mc.model.ages import N_AGES, AgeGroups, parse_age_group
from mc.model.population import PopulationTable, RegionalPopulation

#: Groups the backtests report (the broad groups of the issue); ``total`` is always added.
BROAD_GROUPS = ("0-5", "6-15", "16-19", "20-66", "67-79", "80-89", "90+")
#: Age groups of the municipal excess.
EXCESS_GROUPS = (
    "0",
    "1-5",
    "6-15",
    "16-19",
    "20-24",
    "25-29",
    "30-39",
    "40-49",
    "50-66",
    "67-79",
    "80+",
)
FORMAT_VERSION = 2  # 2: per-draw fertility drift error and mortality trend
POOL_SIZE = 1000  # standardised municipal errors kept in a fit
BREAK_LOG = 0.25  # |log| of a municipality's one-year change beyond which its series is broken


@dataclass(frozen=True)
class ProjectionSettings:
    """Choices behind a fit; defaults documented in the module docstring."""

    history_years: int = 25
    scale: float = 1.1
    fertility_drift_years: int = 10
    fertility_drift_sd: float = 2.0
    mortality_age: int = N_AGES  # off; 60 with the two settings below was tried
    mortality_drift_years: int = 10
    mortality_scale: float = 0.5
    municipal_years: int = 3
    noise_bins: int = 12
    min_history: int = 5

    def __post_init__(self) -> None:
        if (
            self.history_years < 2
            or self.municipal_years < 1
            or min(self.scale, self.fertility_drift_sd, self.mortality_scale) < 0
            or not 1 <= self.mortality_age <= N_AGES
            or min(self.fertility_drift_years, self.mortality_drift_years) < 1
        ):
            raise ValueError(f"invalid projection settings {self}")


def cohort_change_ratios(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """CCRs from two consecutive 1 January populations (``(..., 2, 106)``).

    Age 0 holds the child-woman ratio: children aged 0 of each sex per woman aged 15-49.
    """
    ccr = np.empty(np.broadcast_shapes(before.shape, after.shape))
    with np.errstate(divide="ignore", invalid="ignore"):
        ccr[..., 1:105] = after[..., 1:105] / before[..., 0:104]
        ccr[..., 105] = after[..., 105] / (before[..., 104] + before[..., 105])
        women = before[..., 0:1, WOMEN[0] : WOMEN[1] + 1].sum(axis=-1)
        ccr[..., 0] = after[..., 0] / women
    return np.where(np.isfinite(ccr), ccr, 0.0)


@dataclass
class NationalFit:
    """Random-walk CCR model of the nation."""

    origin: int
    start: np.ndarray  # (2, A)
    base_ccr: np.ndarray  # (2, A)
    drift: np.ndarray  # (2, A)
    deviations: np.ndarray  # (K, 2, A)
    scale: float
    years: tuple[int, ...]  # transition years t (t -> t+1) behind the deviations
    drift_sd: np.ndarray  # (2, A) sd of each draw's error in the drift
    step_scale: np.ndarray  # (2, A) relative scale of the random step (times ``scale``)

    def quiet(self) -> NationalFit:
        """The same fit without noise: its central path."""
        import dataclasses

        return dataclasses.replace(self, scale=0.0, drift_sd=np.zeros_like(self.drift_sd))


@dataclass
class MunicipalFit:
    """Excess over national CCRs per municipality and its noise."""

    codes: tuple[str, ...]
    counties: tuple[str, ...]
    start: np.ndarray  # (R, 2, A)
    excess: np.ndarray  # (R, G)
    total_sd: np.ndarray  # (R,)
    pool: np.ndarray  # (Z,)
    group_sd: np.ndarray  # (R, G)
    noise: dict[str, Any] = field(default_factory=dict)
    persistence: float = 0.0  # correlation of a municipality's shocks across years (0: none)


@dataclass
class ProjectionFit:
    """A fitted projection: what `tbu-mc population fit` writes."""

    origin: int
    settings: ProjectionSettings
    national: NationalFit
    municipal: MunicipalFit | None
    data: dict[str, str] = field(default_factory=dict)

    # -- storage ------------------------------------------------------------------------------
    def to_json(self) -> str:
        """Compact JSON: fitted ratios and noise parameters, rounded to 6 significant digits.

        The origin populations are not stored (they are SSB's data); :meth:`from_json` needs
        them back from the data folder.
        """

        def arr(a: np.ndarray) -> Any:
            return np.vectorize(lambda v: float(f"{v:.6g}"))(a).tolist() if a.size else []

        n = self.national
        out: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "tool": "tbu-mc population fit",
            "origin": self.origin,
            "settings": asdict(self.settings),
            "data": self.data,
            "national": {
                "base_ccr": arr(n.base_ccr),
                "drift": arr(n.drift),
                "deviations": arr(n.deviations),
                "scale": n.scale,
                "years": list(n.years),
                "drift_sd": arr(n.drift_sd),
                "step_scale": arr(n.step_scale),
            },
        }
        if self.municipal is not None:
            m = self.municipal
            out["municipal"] = {
                "codes": list(m.codes),
                "counties": list(m.counties),
                "groups": list(EXCESS_GROUPS),
                "excess": arr(m.excess),
                "total_sd": arr(m.total_sd),
                "pool": arr(m.pool),
                "group_sd": arr(m.group_sd),
                "persistence": m.persistence,
                "noise": m.noise,
            }
        return json.dumps(out, separators=(",", ":"))

    @classmethod
    def from_json(
        cls, text: str, national: PopulationTable, regional: RegionalPopulation | None = None
    ) -> ProjectionFit:
        """Read a fit; the origin populations come from the data, checked against the fit."""
        data = json.loads(text)
        if data.get("format") != FORMAT_VERSION:
            raise DataError("projection fit", f"format {data.get('format')!r} is not supported")
        origin = int(data["origin"])
        nat = data["national"]
        national_fit = NationalFit(
            origin,
            national.at(origin).copy(),
            np.array(nat["base_ccr"]),
            np.array(nat["drift"]),
            np.array(nat["deviations"]),
            float(nat["scale"]),
            tuple(nat["years"]),
            np.array(nat["drift_sd"]),
            np.array(nat["step_scale"]),
        )
        municipal = None
        if "municipal" in data:
            mun = data["municipal"]
            if regional is None:
                raise DataError("projection fit", "this fit has municipalities: give their data")
            if tuple(mun["codes"]) != regional.codes:
                raise DataError(regional.source, "municipality codes differ from the fit's")
            municipal = MunicipalFit(
                tuple(mun["codes"]),
                tuple(mun["counties"]),
                regional.at(origin).copy(),
                np.array(mun["excess"]),
                np.array(mun["total_sd"]),
                np.array(mun["pool"]),
                np.array(mun["group_sd"]),
                mun["noise"],
                float(mun.get("persistence", 0.0)),  # fits written before it: none
            )
        settings = ProjectionSettings(**data["settings"])
        return cls(origin, settings, national_fit, municipal, data.get("data", {}))


def _checksum(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array, dtype=np.float64).tobytes()).hexdigest()[:16]


def fit_national(
    table: PopulationTable, origin: int, settings: ProjectionSettings | None = None
) -> NationalFit:
    """Fit the national random walk using only populations up to 1 January ``origin``.

    Raises
    ------
    DataError
        If fewer than ``settings.min_history`` years of change precede the origin.
    """
    settings = settings or ProjectionSettings()
    known = table.until(origin)
    first = max(known.first_year, origin - settings.history_years - 1)
    years = list(range(first, origin))  # transitions t -> t+1 ending by the origin
    if len(years) < settings.min_history:
        raise DataError(
            table.source,
            f"origin {origin} needs at least {settings.min_history} years of data before it; "
            f"the data start in {known.first_year}",
        )
    ccr = np.array([cohort_change_ratios(known.at(t), known.at(t + 1)) for t in years])
    steps = np.diff(ccr, axis=0)
    drift = np.zeros_like(ccr[-1])
    drift_sd = np.zeros_like(ccr[-1])
    window = min(settings.fertility_drift_years, steps.shape[0] - 1)
    drift[:, 0] = steps[-window:, :, 0].mean(axis=0)
    rolling = np.array(
        [steps[i : i + window, :, 0].mean(axis=0) for i in range(steps.shape[0] - window + 1)]
    )
    drift_sd[:, 0] = settings.fertility_drift_sd * rolling.std(axis=0, ddof=1)
    old = settings.mortality_age
    drift[:, old:] = steps[-settings.mortality_drift_years :, :, old:].mean(axis=0)
    step_scale = np.ones_like(ccr[-1])
    step_scale[:, old:] = settings.mortality_scale
    return NationalFit(
        origin,
        known.at(origin).copy(),
        ccr[-1],
        drift,
        steps - steps.mean(axis=0),
        settings.scale,
        tuple(years[1:]),
        drift_sd,
        step_scale,
    )


def _group_index(labels: tuple[str, ...]) -> np.ndarray:
    groups = AgeGroups(labels)
    return groups.index_of_age()


def _grouped(population: np.ndarray, index: np.ndarray, n_groups: int) -> np.ndarray:
    both = population.sum(axis=-2)  # sexes pooled
    out = np.zeros((*both.shape[:-1], n_groups))
    for g in range(n_groups):
        out[..., g] = both[..., index == g].sum(axis=-1)
    return out


def _excess(
    regional: RegionalPopulation, year: int, index: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Log ratio of observed cohorts to the national-CCR prediction, per region and group."""
    before, after = regional.at(year), regional.at(year + 1)
    national = cohort_change_ratios(before.sum(axis=0), after.sum(axis=0))
    predicted = _grouped(advance(before, national[None]), index, len(EXCESS_GROUPS))
    observed = _grouped(after, index, len(EXCESS_GROUPS))
    return np.log((observed + 0.5) / (predicted + 0.5)), predicted  # +0.5: empty cells


def _shrunk(
    excess: np.ndarray, weight: np.ndarray, counties: np.ndarray, valid: np.ndarray | None = None
) -> np.ndarray:
    """Average over years, shrunk towards the county average (empirical Bayes).

    ``valid`` (years x regions) leaves out years in which a municipality's series breaks (a
    border change in the data); a municipality with no valid year takes its county's value.
    """
    valid = np.ones(excess.shape[:2], dtype=bool) if valid is None else valid
    mask = valid[:, :, None].astype(float)
    years = mask.sum(axis=0)  # (R, 1)
    own = (excess * mask).sum(axis=0) / np.maximum(years, 1.0)
    weight = weight * mask
    county = np.zeros_like(own)
    for c in np.unique(counties):
        sel = counties == c
        w = weight[:, sel].sum(axis=0)
        county[sel] = (own[sel] * w).sum(axis=0) / np.maximum(w.sum(axis=0), 1e-9)
    if excess.shape[0] < 2:
        return np.where(years > 0, own, county) if excess.shape[0] else county
    size = weight.sum(axis=0) / np.maximum(years, 1.0)
    deviation = (excess - own) * mask
    variance = (deviation**2).sum(axis=0) / np.maximum(years - 1, 1.0)
    spread = np.median((variance * size)[years[:, 0] > 1])  # year-to-year noise ~ spread / size
    noise = spread / np.maximum(size, 1.0) / np.maximum(years, 1.0)
    between = np.maximum(((own - county) ** 2 - noise).mean(axis=0), 1e-6)
    w = np.where(years > 0, between / (between + noise), 0.0)
    return w * own + (1 - w) * county


def _robust_variance_fit(error: np.ndarray, size: np.ndarray, bins: int) -> tuple[float, float]:
    """Fit ``var(error) = a / size + b`` on robust (MAD) variances of population-size bins."""
    order = np.argsort(size)
    parts = [p for p in np.array_split(order, bins) if p.size]
    variance = np.array(
        [(1.4826 * np.median(np.abs(error[p] - np.median(error[p])))) ** 2 for p in parts]
    )
    inverse = np.array([1.0 / max(np.median(size[p]), 1.0) for p in parts])
    (a, b), _ = nnls(np.stack([inverse, np.ones_like(inverse)], axis=1), variance)
    return float(a), float(b)


def _total(excess: np.ndarray, size: np.ndarray) -> np.ndarray:
    """A municipality's excess in its total: the groups' excesses weighted by their sizes."""
    share = size / np.maximum(size.sum(axis=-1, keepdims=True), 1e-9)
    total: np.ndarray = (excess * share).sum(axis=-1)
    return total


def _persistence(
    cache: dict[int, tuple[np.ndarray, np.ndarray]],
    guesses: dict[int, np.ndarray],
    broken: dict[int, np.ndarray],
    a: float,
    b: float,
    origin: int,
) -> tuple[float, int]:
    """Correlation of a municipality's errors in different years around one fitted excess.

    A fit made at ``t`` is held fixed and its errors in the municipality totals are taken in
    years ``t`` and ``t + j`` (``j`` = 1, 2; both before ``origin``), each standardised by the
    fitted scale ``sqrt(a / size + b)`` and clipped at 5 (a handful of unharmonised border
    changes below the break threshold would otherwise set the figure). Each fit year and lag
    gives one correlation across municipalities; the result is their mean, clamped to
    ``[0, 0.95]``, and the number of correlations behind it (0: too short a history, no
    persistence). Lags 1 and 2 are pooled because the in-sample correlations hardly fall from
    one to two (docs/population.md): the excess is a level known to within an error, not a
    shock that fades.
    """
    correlations = []
    for t, guess in guesses.items():
        first = _total(cache[t][0] - guess, cache[t][1])
        first = first / np.sqrt(a / np.maximum(cache[t][1].sum(axis=1), 1.0) + b)
        for j in (1, 2):
            if t + j >= origin:
                break
            later = _total(cache[t + j][0] - guess, cache[t + j][1])
            later = later / np.sqrt(a / np.maximum(cache[t + j][1].sum(axis=1), 1.0) + b)
            ok = ~broken[t] & ~broken[t + j]
            if ok.sum() < 3:
                continue
            pair = np.clip(np.stack([first[ok], later[ok]]), -5.0, 5.0)
            correlations.append(float(np.corrcoef(pair)[0, 1]))
    if not correlations:
        return 0.0, 0
    return float(np.clip(np.mean(correlations), 0.0, 0.95)), len(correlations)


def fit_municipal(
    regional: RegionalPopulation, origin: int, settings: ProjectionSettings | None = None
) -> MunicipalFit:
    """Fit municipal excesses and noise using only populations up to 1 January ``origin``.

    Raises
    ------
    DataError
        If the data hold too few years before the origin to estimate the noise.
    """
    settings = settings or ProjectionSettings()
    known = regional.until(origin)
    k = settings.municipal_years
    index = _group_index(EXCESS_GROUPS)
    counties = np.array(known.counties)
    last_transition = origin - 1
    if last_transition - known.first_year < k:
        raise DataError(
            regional.source,
            f"origin {origin} needs at least {k + 1} years of municipal data before it; the "
            f"data start in {known.first_year}",
        )
    cache = {t: _excess(known, t, index) for t in range(known.first_year, origin)}
    totals = known.counts.sum(axis=(2, 3))  # (years, R)
    with np.errstate(divide="ignore", invalid="ignore"):
        jump = np.abs(np.log(totals[1:] / totals[:-1]))
    # a one-year change of more than ~28 % is a break in the series (a border change the data
    # could not harmonise, e.g. Ålesund/Haram split evenly before 2024), not migration
    broken = {known.first_year + i: ~(jump[i] <= BREAK_LOG) for i in range(jump.shape[0])}

    def stack(years: range) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            np.array([cache[t][0] for t in years]),
            np.array([cache[t][1] for t in years]),
            np.array([~broken[t] for t in years]),
        )

    recent = range(origin - k, origin)
    excess = _shrunk(*stack(recent)[:2], counties, stack(recent)[2])

    # one-year-ahead errors of the same estimator over the years before the origin
    errors, sizes, guesses = [], [], {}
    for t in range(known.first_year + k, origin):
        past_e, past_w, past_ok = stack(range(t - k, t))
        guess = _shrunk(past_e, past_w, counties, past_ok)
        guesses[t] = guess
        keep = ~broken[t]
        errors.append((cache[t][0] - guess)[keep])
        sizes.append(cache[t][1][keep])
    error = np.concatenate(errors)  # (years * R, G)
    size = np.concatenate(sizes)
    share = size / np.maximum(size.sum(axis=1, keepdims=True), 1e-9)
    total_error = (error * share).sum(axis=1)
    total_size = size.sum(axis=1)
    a, b = _robust_variance_fit(total_error, total_size, settings.noise_bins)
    pool = total_error / np.sqrt(a / np.maximum(total_size, 1.0) + b)
    group_a, group_b = [], []
    for g in range(len(EXCESS_GROUPS)):
        ga, gb = _robust_variance_fit(
            error[:, g] - total_error, size[:, g] + 1.0, settings.noise_bins
        )
        group_a.append(ga)
        group_b.append(gb)
    persistence, pairs = _persistence(cache, guesses, broken, a, b, origin)
    start = known.at(origin)
    population = start.sum(axis=(1, 2))
    group_population = _grouped(start, index, len(EXCESS_GROUPS))
    total_sd = np.sqrt(a / np.maximum(population, 1.0) + b)
    group_sd = np.sqrt(np.array(group_a) / (group_population + 1.0) + np.array(group_b))
    return MunicipalFit(
        known.codes,
        known.counties,
        start.copy(),
        excess,
        total_sd,
        np.sort(pool),
        group_sd,
        persistence=persistence,
        noise={
            "persistence_pairs": pairs,
            "total_a": a,
            "total_b": b,
            "group_a": group_a,
            "group_b": group_b,
            "error_years": [known.first_year + k, origin - 1],
            "breaks": sorted(
                [known.codes[r], int(t)] for t, mask in broken.items() for r in np.flatnonzero(mask)
            ),
        },
    )


def fit_projection(
    national: PopulationTable,
    origin: int,
    regional: RegionalPopulation | None = None,
    settings: ProjectionSettings | None = None,
) -> ProjectionFit:
    """Fit the projection (municipalities too when ``regional`` is given)."""
    settings = settings or ProjectionSettings()
    nat = fit_national(national, origin, settings)
    mun = None if regional is None else fit_municipal(regional, origin, settings)
    data = {"national": national.source, "national_sha": _checksum(national.until(origin).counts)}
    if regional is not None:
        data["regional"] = regional.source
        data["regional_sha"] = _checksum(regional.until(origin).counts)
    return ProjectionFit(origin, settings, nat, mun, data)


def output_groups(
    labels: tuple[str, ...] = BROAD_GROUPS,
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Reported groups: ``total`` then ``labels``, with their first and last ages."""
    names = ("total", *labels)
    ranges = [(0, N_AGES - 1)] + [parse_age_group(label) for label in labels]
    lo = np.array([r[0] for r in ranges], dtype=np.int64)
    hi = np.array([r[1] for r in ranges], dtype=np.int64)
    return names, lo, hi


class HorizonAxes:
    """The year and group axes of a national projection, and the check of its horizon.

    Shared by :class:`ProjectionModel` and :class:`mc.model.components.ComponentModel`, which
    must report the same axes so the bands and backtests read either. The subclass provides
    ``fit.origin``, ``horizon`` and ``groups``; this class adds no dataclass fields.
    """

    fit: Any
    horizon: int
    groups: tuple[str, ...]

    def _check_horizon(self) -> None:
        if not 1 <= self.horizon <= 10:
            raise ConfigError("horizon", self.horizon, "a whole number in [1, 10]")

    @property
    def years(self) -> tuple[int, ...]:
        """The 1 January dates projected."""
        return tuple(self.fit.origin + h for h in range(1, self.horizon + 1))

    @property
    def group_names(self) -> tuple[str, ...]:
        """Reported groups, ``total`` first."""
        return output_groups(self.groups)[0]


@dataclass(frozen=True)
class ProjectionModel(HorizonAxes):
    """A fitted projection ready for the engine: ``simulate(rng, n)`` gives grouped populations.

    Parameters
    ----------
    fit : ProjectionFit
        The fitted projection.
    horizon : int
        Years to project (1-10).
    groups : tuple of str
        Reported age groups (``total`` is added first).
    extra : sequence of float, optional
        Extra net immigration in each projection year (default none).
    profile : ndarray, optional
        Its age/sex shares, shape ``(2, 106)``; required when ``extra`` is non-zero.
    municipal : bool
        Project the municipalities too (needs a municipal fit).
    """

    fit: ProjectionFit
    horizon: int
    groups: tuple[str, ...] = BROAD_GROUPS
    extra: tuple[float, ...] = ()
    profile: np.ndarray | None = None
    municipal: bool = False

    def __post_init__(self) -> None:
        self._check_horizon()
        if self.municipal and self.fit.municipal is None:
            raise ValueError("municipal=True needs a fit with municipalities")
        if any(self.extra) and self.profile is None:
            raise ValueError("extra immigration needs an age/sex profile")

    @property
    def regions(self) -> tuple[str, ...]:
        """``0000`` for the nation, then the municipality codes."""
        codes = self.fit.municipal.codes if self.municipal and self.fit.municipal else ()
        return ("0000", *codes)

    def start_by_group(self) -> np.ndarray:
        """Origin population in the reported groups, without the total.

        ``(G,)`` for the nation, or ``(R, G)`` for the municipalities of a municipal model.
        """
        _, lo, hi = output_groups(self.groups)
        m = self.fit.municipal
        start = m.start if self.municipal and m is not None else self.fit.national.start
        return group_sums(start, lo[1:], hi[1:])

    def inputs(self) -> tuple[Any, Any]:
        """Kernel inputs (national, municipal or ``None``)."""
        from mc.kernels.projection import MunicipalInputs, ProjectionInputs

        _, lo, hi = output_groups(self.groups)
        extra = np.zeros(self.horizon)
        extra[: len(self.extra)] = self.extra[: self.horizon]
        profile = (
            np.zeros((2, N_AGES)) if self.profile is None else self.profile / self.profile.sum()
        )
        n = self.fit.national
        x = ProjectionInputs(
            n.start,
            n.base_ccr,
            n.drift,
            n.drift_sd,
            n.deviations,
            n.scale * n.step_scale,
            extra,
            profile,
            lo,
            hi,
        )
        if not self.municipal:
            return x, None
        m = self.fit.municipal
        assert m is not None
        index = _group_index(EXCESS_GROUPS)
        return x, MunicipalInputs(
            m.start, m.excess, index, m.total_sd, m.pool, m.group_sd, m.persistence
        )

    def simulate(
        self, rng: np.random.Generator, n: int, backend: str = "numba"
    ) -> dict[str, np.ndarray]:
        """``{"population": (n, regions, years, groups)}``."""
        from mc.kernels.projection import project_numba, project_numpy, project_python

        kernels = {"numba": project_numba, "numpy": project_numpy, "python": project_python}
        if backend not in kernels:
            raise ValueError(f"backend={backend!r}, but it must be one of {sorted(kernels)}")
        x, m = self.inputs()
        return {"population": kernels[backend](rng, n, x, m)}

    def simulate_on(
        self, rng: np.random.Generator, start: np.ndarray, paths: np.ndarray, backend: str = "numba"
    ) -> dict[str, np.ndarray]:
        """The municipalities projected on national paths drawn elsewhere.

        The national ratios of each year are the ones the path implies (its next year over this
        one, one age younger; age 0 over the women aged 15-49), times each municipality's drawn
        excess as in :meth:`simulate`; the municipalities are then reconciled to the path cell by
        cell. This fit's own national random walk is not used.

        Parameters
        ----------
        rng : numpy.random.Generator
            The municipalities' stream.
        start : ndarray, shape (2, 106)
            National population at the origin.
        paths : ndarray, shape (n, H, 2, 106)
            National population on 1 January of each projected year, per draw.
        backend : {"numba", "numpy"}
            Kernel.

        Returns
        -------
        dict
            ``{"population": (n, regions, years, groups)}``, region 0 the nation (the path).

        Raises
        ------
        ConfigError
            If ``backend`` is unknown or the paths do not cover this model's horizon.
        """
        from mc.kernels.projection import reconcile_to_paths_numba, reconcile_to_paths_numpy

        kernels = {"numba": reconcile_to_paths_numba, "numpy": reconcile_to_paths_numpy}
        if backend not in kernels:
            raise ConfigError("backend", backend, f"one of {sorted(kernels)}")
        if paths.shape[1:] != (self.horizon, 2, N_AGES):
            raise ConfigError(
                "paths", paths.shape, f"national paths of shape (n, {self.horizon}, 2, {N_AGES})"
            )
        x, m = self.inputs()
        if m is None:
            raise ConfigError("municipal", False, "a model with municipalities")
        return {"population": kernels[backend](rng, start, paths, x.out_lo, x.out_hi, m)}

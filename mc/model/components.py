"""Fitting the stochastic cohort-component projection of the nation.

Three processes, each fitted only on what was known on 1 January of the origin ``Y`` (deaths,
births and migration up to calendar year ``Y - 1``, fertility rates up to ``Y - 1`` where HFD has
them); their parameter errors are drawn too, so bands widen with the uncertainty of the fit:

* **Mortality**: log central death rates per sex at ages 0-99 over the last ``mortality_years``
  years. By default (``mortality_trend="by-age"``) each age keeps its own least-squares trend
  (smoothed over five ages) and Lee-Carter's first factor ``b(a) k(t)`` carries the random part:
  ``k`` is a random walk plus a yearly transient (``k_process="walk+noise"``; the steps' variance
  ``q + 2r`` and lag-1 autocovariance ``-r`` give the walk's ``q`` and the transient's ``r``,
  correlated between the sexes; the steps of ``k`` undo each other from year to year, so a pure
  walk, ``"walk"``, overstates how the uncertainty grows), and each path draws once a trend error
  along ``b`` with the standard error of the Lee-Carter drift, ``sd(dk) / sqrt(T - 1)``.
  ``"lee-carter"`` uses Lee-Carter's single drift instead (it under-forecast old ages on origins
  1998-2009). Each year also adds one of the last ``deviation_years`` years' Lee-Carter residuals
  (all ages and both sexes of one year, resampled: a bad flu season hits all old ages at once; one
  factor leaves that out). Jump-off rates are the last ``jump_years`` years' log rates moved to
  ``Y - 1`` along each age's own trend (``jump_along="trend"``; along ``k``, ``"k"``, they stayed a
  year behind at old ages, where ``b`` is small) and averaged (single-year rates at young ages are
  noisy). From 90 up (``kannisto_from``; ``old_age="kannisto"``) every year's rates are first
  replaced by Kannisto's logistic curve fitted to that year's deaths at 80-104 (:func:`kannisto`;
  single-year rates there rest on few deaths), and the curve carries on to 105+. The first
  version, ``old_age="gompertz"``, used the raw rates and continued ages 100-105+ along the
  Gompertz slope of ages 89-99. With ``trend_error="age"`` each path draws the error of the
  by-age trend by age: one normal per sex times each age's own drift standard error,
  ``sd(yearly change) / sqrt(T - 1)`` (smoothed over five ages), instead of along ``b``
  (``"b"``), where it is near zero at 90-99 although those ages' trends are the least certain.
* **Fertility**: age-specific rates = TFR x the average shape of the last ``shape_years`` years.
  Log TFR is ARIMA(1,1,0) without drift: its yearly change keeps a share ``rho`` of the last change
  (fertility moves in runs of years; the starting change is the mean of the last
  ``fertility_trend_years``) and adds a normal shock; ``rho`` is drawn from its sampling
  distribution. Births are the rates times the mean of the women at each age on 1 January of the
  year and the next, times a calibration ratio (observed births over the model's in the last three
  years: HFD's exposures are not SSB's stocks), boys a share ``boys`` of them. When the last year's
  rates are missing (2023 in this copy of HFD) its TFR is taken from births divided by the model's
  births per unit TFR.
* **Net migration**: ``N(t) = c + phi N(t-1) + sigma e(t)`` (AR(1), mean ``mu = c / (1 - phi)``)
  fitted by least squares on all years 1986..``Y - 1``. ``(c, phi)`` are drawn per path from their
  normal sampling distribution, ``sigma`` from a log-normal approximation of its own, and the
  shocks ``e`` are resampled from the standardised residuals (they are skewed up: 2022's is 4.2
  standard deviations). ``shock_scale="level"`` lets the shock's sd grow with last year's level
  (:func:`shock_scale`); tried and left off. The total is spread by age and sex with a profile, the
  ratio of summed cohort residuals to summed totals over the last ``profile_years`` years, plus one
  past year's deviation from that profile (resampled, in persons) so the age pattern varies as it
  did. ``profile="regression"`` (each cell regressed on the total) and ``deviation_scale="level"``
  (a deviation scaled by the level drawn) were tried and left off.

Settings were chosen on origins 1998-2009 by the mean 80 % interval score; docs/components.md
has the figures.

Cohort residuals (migrants by age and sex) are ``P(t+1, a+1) - P(t, a) + deaths in the cohort``
with HMD's deaths by age split half-half between the two Lexis triangles (``(D(t, a) +
D(t, a+1)) / 2``), births for age 0, and the open age collecting 104 and 105+. They sum to the
balancing-equation residual exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mc.domain.components import ASFR_AGES, ComponentHistory
from mc.errors import ConfigError, DataError
from mc.kernels.cohort import CohortInputs, project_numba, project_numpy
from mc.model.ages import N_AGES
from mc.model.population import PopulationTable
from mc.model.projection import BROAD_GROUPS, HorizonAxes, output_groups

LC_AGES = 100  # Lee-Carter on ages 0-99; the few people above follow a Gompertz slope
GOMPERTZ_FROM = 89  # slope of log rates from 89 to 99 extends the rates beyond 99
MIGRATION_FIRST = 1986  # first year with deaths by age: the migration series starts here
MORTALITY_TRENDS = ("lee-carter", "by-age")
PROFILES = ("share", "regression")
DEVIATION_SCALES = ("persons", "level")
K_PROCESSES = ("walk", "walk+noise")
SHOCK_SCALES = ("constant", "level")
JUMP_ALONG = ("k", "trend")
OLD_AGES = ("gompertz", "kannisto")
TREND_ERRORS = ("b", "age")
KANNISTO_FIT = (80, 104)  # ages the Kannisto curve is fitted on (104: the last single age)
KANNISTO_ITERATIONS = 25  # Fisher scoring from the weighted least-squares start; converges in <10
CHOICES = (
    "old_age",
    "trend_error",
    "mortality_trend",
    "profile",
    "deviation_scale",
    "k_process",
    "shock_scale",
    "jump_along",
)
FERTILITY_ANCHOR_YEARS = 3  # years behind the births calibration ratio


@dataclass(frozen=True)
class ComponentSettings:
    """Choices behind a component fit (see the module docstring)."""

    mortality_years: int = 15
    jump_years: int = 3
    shape_years: int = 3
    profile_years: int = 5
    deviation_years: int = 10
    boys_years: int = 10
    mortality_trend: str = "by-age"
    profile: str = "share"
    fertility_trend_years: int = 3
    deviation_scale: str = "persons"
    k_process: str = "walk+noise"
    shock_scale: str = "constant"
    jump_along: str = "trend"
    old_age: str = "kannisto"
    kannisto_from: int = 90
    trend_error: str = "age"

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ConfigError("profile", self.profile, f"one of {list(PROFILES)}")
        if self.mortality_trend not in MORTALITY_TRENDS:
            raise ConfigError(
                "mortality_trend", self.mortality_trend, f"one of {list(MORTALITY_TRENDS)}"
            )
        if self.deviation_scale not in DEVIATION_SCALES:
            raise ConfigError(
                "deviation_scale", self.deviation_scale, f"one of {list(DEVIATION_SCALES)}"
            )
        if self.k_process not in K_PROCESSES:
            raise ConfigError("k_process", self.k_process, f"one of {list(K_PROCESSES)}")
        if self.jump_along not in JUMP_ALONG:
            raise ConfigError("jump_along", self.jump_along, f"one of {list(JUMP_ALONG)}")
        if self.trend_error not in TREND_ERRORS:
            raise ConfigError("trend_error", self.trend_error, f"one of {list(TREND_ERRORS)}")
        if self.old_age not in OLD_AGES:
            raise ConfigError("old_age", self.old_age, f"one of {list(OLD_AGES)}")
        if not KANNISTO_FIT[0] <= self.kannisto_from < LC_AGES:
            raise ConfigError(
                "kannisto_from", self.kannisto_from, f"an age in [{KANNISTO_FIT[0]}, {LC_AGES})"
            )
        if self.shock_scale not in SHOCK_SCALES:
            raise ConfigError("shock_scale", self.shock_scale, f"one of {list(SHOCK_SCALES)}")
        for name in self.__dataclass_fields__:
            if name in CHOICES:
                continue
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(name, value, "a whole number >= 1")
        if self.mortality_years < 5:
            raise ConfigError("mortality_years", self.mortality_years, "a whole number >= 5")


def cohort_residuals(
    before: np.ndarray, after: np.ndarray, deaths: np.ndarray, births: np.ndarray
) -> np.ndarray:
    """Net migrants by sex and age at the end of a year (``(2, 106)``).

    ``before``/``after`` are the 1 January populations, ``deaths`` the calendar year's deaths by
    age at death and ``births`` its births by sex. Cohort deaths are approximated by half the
    deaths at each of the two ages the cohort passes through. The sum over cells is the
    balancing-equation residual ``after - before - births + deaths``.
    """
    out = np.empty_like(after, dtype=float)
    out[:, 1:105] = after[:, 1:105] - before[:, 0:104] + 0.5 * (deaths[:, 0:104] + deaths[:, 1:105])
    out[:, 105] = after[:, 105] - before[:, 104] - before[:, 105] + 0.5 * deaths[:, 104]
    out[:, 105] += deaths[:, 105]
    out[:, 0] = after[:, 0] - births + 0.5 * deaths[:, 0]
    return out


@dataclass
class ComponentFit:
    """Fitted processes; arrays are what :mod:`mc.kernels.cohort` reads."""

    origin: int
    start: np.ndarray  # (2, A) population on 1 January origin
    log_mx: np.ndarray  # (2, A) jump-off log death rates (year origin - 1)
    bx: np.ndarray  # (2, A) Lee-Carter age loadings (sum 1 over ages 0-99)
    mx_shocks: np.ndarray  # (K, 2, A) past years' Lee-Carter residuals in log rates
    age_drift: np.ndarray  # (2, A) trend of log rates by age ("by-age"; else zero)
    k_drift: np.ndarray  # (2,) yearly drift of k
    k_drift_chol: np.ndarray  # (2, 2) Cholesky factor of the drift estimate's covariance
    k_step_chol: np.ndarray  # (2, 2) Cholesky factor of the step covariance
    shape: np.ndarray  # (A,) fertility age shape of women (sums to 1)
    births_ratio: float  # observed births / model births at the jump-off
    boys: float  # share of boys among births
    log_tfr: float  # log TFR in year origin - 1
    dlog_tfr: float  # its last change
    rho: float
    rho_se: float
    tfr_sigma: float
    mig_beta: np.ndarray  # (2,) (c, phi)
    mig_chol: np.ndarray  # (2, 2) Cholesky factor of their covariance
    mig_sigma: float
    mig_sigma_sd: float  # sd of log sigma
    mig_last: float  # net migration in year origin - 1
    mig_pool: np.ndarray  # (Z,) standardised residuals
    profile: np.ndarray  # (2, A) migration profile (sums to 1)
    deviations: np.ndarray  # (K, 2, A) past deviations from the profile, persons
    estimates: dict[str, Any] = field(default_factory=dict)
    deviation_level: float = 0.0  # > 0: deviations scale with |net migration| / this level
    k_noise_chol: np.ndarray = field(default_factory=lambda: np.zeros((2, 2)))  # transient in k
    mig_scale: np.ndarray = field(default_factory=lambda: np.array([0.0, 1.0]))  # (lambda, ref)
    drift_se: np.ndarray = field(default_factory=lambda: np.zeros((2, N_AGES)))  # by-age trend
    drift_chol: np.ndarray = field(default_factory=lambda: np.zeros((2, 2)))  # its sex correlation

    def quiet(self) -> ComponentFit:
        """The same fit without any randomness: the central path (for tests and charts)."""
        import dataclasses

        zero2 = np.zeros((2, 2))
        return dataclasses.replace(
            self,
            k_drift_chol=zero2,
            k_step_chol=zero2,
            k_noise_chol=zero2,
            drift_chol=zero2,
            rho_se=0.0,
            tfr_sigma=0.0,
            mig_chol=zero2,
            mig_sigma=0.0,
            mig_sigma_sd=0.0,
            deviations=np.zeros((1, 2, N_AGES)),
            mx_shocks=np.zeros((1, 2, N_AGES)),
        )


def _require(history: ComponentHistory, what: str, first: int, needed: int, origin: int) -> None:
    if first > needed:
        raise DataError(
            history.source,
            f"origin {origin} needs {what} from {needed}; the data start in {first}",
        )


def _lee_carter(log_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(a, b, k)`` of one sex: ``log_m`` is ``(T, ages)``; ``b`` sums to 1, ``k`` to 0."""
    a = log_m.mean(axis=0)
    u, s, vt = np.linalg.svd(log_m - a, full_matrices=False)
    b = vt[0]
    k = u[:, 0] * s[0]
    total = b.sum()
    return a, b / total, k * total


def kannisto(
    deaths: np.ndarray, rates: np.ndarray, ages: tuple[int, int] = KANNISTO_FIT
) -> np.ndarray:
    """Kannisto's logistic curve fitted to one year and sex: ``(log a, b)``.

    ``m(x) = a e^{b (x - 80)} / (1 + a e^{b (x - 80)})``, fitted by Poisson maximum likelihood
    (Fisher scoring from a least-squares start weighted by the deaths) to the deaths at ages
    ``ages[0]..ages[1]`` on the exposures HMD's rates imply (``deaths / rates``), as HMD smooths
    its life tables above 80 (HMD Methods Protocol v6). Ages without a death or
    without a rate carry no exposure here and are left out.

    Parameters
    ----------
    deaths : ndarray
        Deaths by single-year age from 0 (at least to ``ages[1]``).
    rates : ndarray
        Central death rates by single-year age from 0 (NaN where there is no exposure).
    ages : (int, int)
        First and last age of the fit.

    Returns
    -------
    ndarray, shape (2,)
        ``log a`` (the log odds of the rate at 80) and ``b`` (the slope per year of age).
    """
    lo, hi = ages
    d = np.asarray(deaths[lo : hi + 1], dtype=float)
    m = np.asarray(rates[lo : hi + 1], dtype=float)
    use = np.isfinite(m) & (m > 0) & (d > 0)
    z = np.arange(lo, hi + 1, dtype=float)[use] - 80.0
    d, m = d[use], m[use]
    exposure = d / m
    design = np.stack([np.ones_like(z), z], axis=1)
    # start: log odds of the observed rates, weighted by the deaths (1 / their variance); rates
    # at or above one (a few deaths at 104 in a small exposure) have no log odds: capped
    odds = np.log(np.minimum(m, 0.95) / (1 - np.minimum(m, 0.95)))
    w = d * (1 - np.minimum(m, 0.95)) ** 2
    theta = np.linalg.solve(design.T @ (design * w[:, None]), design.T @ (w * odds))
    for _ in range(KANNISTO_ITERATIONS):
        fitted = 1.0 / (1.0 + np.exp(-(design @ theta)))
        score = design.T @ ((d - exposure * fitted) * (1 - fitted))
        info = design.T @ (design * (exposure * fitted * (1 - fitted) ** 2)[:, None])
        step = np.linalg.solve(info, score)
        theta = theta + step
        if np.abs(step).max() < 1e-10:
            break
    return theta


def kannisto_log_rates(theta: np.ndarray, ages: np.ndarray) -> np.ndarray:
    """Log death rates of Kannisto's curve ``(log a, b)`` at ``ages``."""
    eta = theta[0] + theta[1] * (np.asarray(ages, dtype=float) - 80.0)
    return -np.logaddexp(0.0, -eta)


def _fit_mortality(
    history: ComponentHistory,
    origin: int,
    years: int,
    jump: int,
    shock_years: int,
    trend: str = "lee-carter",
    k_process: str = "walk",
    jump_along: str = "k",
    old_age: str = "gompertz",
    kannisto_from: int = 85,
    trend_error: str = "b",
) -> dict:
    first = max(history.deaths_first, origin - years)
    last = origin - 1
    _require(history, "death rates", history.deaths_first, min(last - 4, first), origin)
    mx = np.array([history.mx_in(t)[:, :LC_AGES] for t in range(first, origin)])
    # a zero rate (no death at some young age in a year) has no log: floor it at half the
    # smallest positive rate of that age and sex in the window
    positive = np.where(mx > 0, mx, np.inf).min(axis=0)
    mx = np.where(np.isfinite(mx) & (mx > 0), mx, 0.5 * positive)
    log_m = np.log(mx)
    above = np.zeros((log_m.shape[0], 2, N_AGES - LC_AGES))  # Kannisto's rates at 100-105+
    curve_last: list[list[float]] = []  # (log a, b) of the last year, women and men
    if old_age == "kannisto":
        # single-year rates above 85 rest on few deaths (about a hundred a year per age for men
        # at 95); the trend, the jump-off and Lee-Carter read Kannisto's curve there instead,
        # fitted to each year and sex, and it continues above 99 (its plateau, not a straight
        # Gompertz line)
        ages = np.arange(N_AGES)
        for i, t in enumerate(range(first, origin)):
            for s in range(2):
                theta = kannisto(history.deaths_in(t)[s], history.mx_in(t)[s])
                curve = kannisto_log_rates(theta, ages)
                log_m[i, s, kannisto_from:] = curve[kannisto_from:LC_AGES]
                above[i, s] = curve[LC_AGES:]
                if t == origin - 1:
                    curve_last.append(theta.tolist())
    bx = np.zeros((2, N_AGES))
    ks = []
    jump_off = np.zeros((2, N_AGES))
    shock_years = min(shock_years, log_m.shape[0])
    shocks = np.zeros((shock_years, 2, N_AGES))
    age_drift = np.zeros((2, N_AGES))
    if trend == "by-age":
        # each age keeps its own least-squares slope of log rates (smoothed over five ages: a
        # single age's slope is noisy); Lee-Carter's k then only carries the random part
        time = np.arange(log_m.shape[0]) - (log_m.shape[0] - 1) / 2
        slope = np.tensordot(time, log_m, axes=(0, 0)) / (time @ time)  # (2, ages)
        kernel = np.ones(5) / 5
        for s in range(2):
            padded = np.pad(slope[s], 2, mode="edge")
            age_drift[s, :LC_AGES] = np.convolve(padded, kernel, mode="valid")
            age_drift[s, LC_AGES:] = age_drift[s, LC_AGES - 1]
    for s in range(2):
        a_s, b, k = _lee_carter(log_m[:, s])
        bx[s, :LC_AGES] = b
        bx[s, LC_AGES:] = b[-1]
        ks.append(k)
        residual = log_m[:, s] - a_s[None] - b[None] * k[:, None]
        shocks[:, s, :LC_AGES] = residual[-shock_years:]
        shocks[:, s, LC_AGES:] = residual[-shock_years:, -1:]
        if jump_along == "trend" and trend == "by-age":
            # each of the last years moved to Y - 1 along its age's own trend: at old ages,
            # where b is small, moving along k leaves the average a year or more behind
            behind = np.arange(jump - 1, -1, -1)[:, None]
            moved = log_m[-jump:, s] + behind * age_drift[s, None, :LC_AGES]
        else:
            moved = log_m[-jump:, s] - b[None] * (k[-jump:, None] - k[-1])
        jump_off[s, :LC_AGES] = moved.mean(axis=0)
        if old_age == "kannisto":
            # the curve's rise above 99 in the last years, on top of the jump-off at 99
            rise = above[-jump:, s] - log_m[-jump:, s, LC_AGES - 1 : LC_AGES]
            jump_off[s, LC_AGES:] = jump_off[s, LC_AGES - 1] + rise.mean(axis=0)
            continue
        slope = (jump_off[s, LC_AGES - 1] - jump_off[s, GOMPERTZ_FROM]) / (
            LC_AGES - 1 - GOMPERTZ_FROM
        )
        ages = np.arange(LC_AGES, N_AGES)
        jump_off[s, LC_AGES:] = jump_off[s, LC_AGES - 1] + slope * (ages - LC_AGES + 1)
    k = np.array(ks).T  # (T, 2)
    steps = np.diff(k, axis=0)
    drift = steps.mean(axis=0)
    cov = np.cov(steps.T, ddof=1)
    n_steps = steps.shape[0]
    noise = np.zeros((2, 2))
    step_cov = cov
    if k_process == "walk+noise":
        # k as a random walk plus a yearly transient (a local-level model): the steps' lag-1
        # autocovariance is -r (the transient's variance) and their variance q + 2r. Steps of
        # k are strongly negatively autocorrelated (about -0.5 on 1998-2009 windows: a flu
        # year's high k comes back the next year), so cumulating them as a pure walk overstates
        # how uncertainty grows with the horizon. Moment estimates, clipped to be PSD.
        centred = steps - drift
        lag1 = centred[1:].T @ centred[:-1] / (n_steps - 1)
        noise = _psd(-0.5 * (lag1 + lag1.T))
        step_cov = _psd(cov - 2 * noise)
    step_chol = _chol(step_cov)
    noise_chol = _chol(noise)
    lee_carter_drift = drift.copy()
    drift_chol = np.linalg.cholesky(cov / n_steps)
    drift_se = np.zeros((2, N_AGES))
    age_chol = np.zeros((2, 2))
    if trend == "by-age" and trend_error == "age":
        # each age keeps its own trend, so each age's trend has its own error: that of a random
        # walk with drift, sd(yearly change) / sqrt(T - 1), the Lee-Carter drift's formula applied
        # to the age (smoothed over five ages as the trend is). Along b instead, the error
        # vanishes at 90-99 (b is near zero or negative there) although those ages' trends are
        # the least certain. One normal per sex and path, correlated as the sexes' k steps.
        change = np.diff(log_m, axis=0)
        se = change.std(axis=0, ddof=1) / np.sqrt(n_steps)
        kernel = np.ones(5) / 5
        for s in range(2):
            drift_se[s, :LC_AGES] = np.convolve(np.pad(se[s], 2, mode="edge"), kernel, "valid")
            drift_se[s, LC_AGES:] = drift_se[s, LC_AGES - 1]
        rho = float(np.clip(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]), -1.0, 1.0))
        age_chol = _chol(np.array([[1.0, rho], [rho, 1.0]]))
        drift_chol = np.zeros((2, 2))
    if trend == "by-age":
        drift = np.zeros(2)
    return {
        "age_drift": age_drift,
        "log_mx": jump_off,
        "shocks": shocks,
        "bx": bx,
        "k_drift": drift,
        "k_step_chol": step_chol,
        "k_noise_chol": noise_chol,
        "k_drift_chol": drift_chol,
        "age_drift_se": drift_se,
        "age_drift_chol": age_chol,
        "kannisto_last": curve_last,
        # mean drift s.e. at 90-99 (%/year), women and men: by age, or along b
        "trend_se_90_99_pct": (100 * drift_se[:, 90:LC_AGES].mean(axis=1)).tolist()
        if trend_error == "age" and trend == "by-age"
        else (
            100 * np.abs(bx[:, 90:LC_AGES]).mean(axis=1) * np.sqrt(np.diag(cov) / n_steps)
        ).tolist(),
        "years": [first, last],
        "trend": trend,
        "drift": drift.tolist(),
        "lee_carter_drift": lee_carter_drift.tolist(),
        # yearly change of log rates at 60-89 (%/year), women and men: the trend in words
        "improvement_60_89_pct": (-100 * age_drift[:, 60:90].mean(axis=1)).tolist()
        if trend == "by-age"
        else (-100 * (bx[:, 60:90] * drift[:, None]).mean(axis=1)).tolist(),
        "drift_se": np.sqrt(np.diag(cov) / n_steps).tolist(),
        "step_sd": np.sqrt(np.diag(cov)).tolist(),
        "walk_sd": np.sqrt(np.diag(step_cov)).tolist(),
        "transient_sd": np.sqrt(np.diag(noise)).tolist(),
        "step_correlation": float(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])),
    }


def _psd(matrix: np.ndarray) -> np.ndarray:
    """The symmetric matrix with negative eigenvalues set to zero."""
    values, vectors = np.linalg.eigh(0.5 * (matrix + matrix.T))
    return (vectors * np.clip(values, 0.0, None)) @ vectors.T


def _chol(matrix: np.ndarray) -> np.ndarray:
    """A factor ``L`` with ``L L' = matrix``: Cholesky's, or the eigen-factor if singular."""
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(matrix)
        return vectors * np.sqrt(np.clip(values, 0.0, None))


def _women_exposure(population: PopulationTable, year: int) -> np.ndarray:
    """Mean of the women at each age on 1 January ``year`` and ``year + 1`` (all ages)."""
    return 0.5 * (population.at(year)[0] + population.at(year + 1)[0])


def _asfr_by_age(asfr_row: np.ndarray) -> np.ndarray:
    out = np.zeros(N_AGES)
    out[ASFR_AGES[0] : ASFR_AGES[1] + 1] = asfr_row
    return out


def _fit_fertility(
    history: ComponentHistory, population: PopulationTable, origin: int, settings: ComponentSettings
) -> dict:
    last = origin - 1
    last_asfr = history.asfr_first + history.asfr.shape[0] - 1
    _require(history, "fertility rates", history.asfr_first, last - 10, origin)
    if last_asfr < last - 1:
        raise DataError(
            history.source,
            f"origin {origin} needs fertility rates up to {last - 1} at least; they end in "
            f"{last_asfr}",
        )
    observed = history.asfr[: last_asfr - history.asfr_first + 1]
    rates = np.array([_asfr_by_age(r) for r in observed[-settings.shape_years :]])
    shape = (rates / rates.sum(axis=1, keepdims=True)).mean(axis=0)
    tfr = observed.sum(axis=1)

    # births per unit TFR with this shape, against what was born: HFD's exposures are its own
    anchor = range(
        max(last_asfr - FERTILITY_ANCHOR_YEARS + 1, population.first_year), last_asfr + 1
    )
    per_tfr = {t: float(shape @ _women_exposure(population, t)) for t in anchor}
    ratio = float(
        np.mean(
            [
                history.births_in(t).sum() / (tfr[t - history.asfr_first] * per_tfr[t])
                for t in anchor
            ]
        )
    )
    estimated_last = None
    if last_asfr == last - 1:  # rates missing for the last year: TFR from births
        births = history.births_in(last).sum()
        estimated_last = float(births / (ratio * shape @ _women_exposure(population, last)))
        tfr = np.append(tfr, estimated_last)
    x = np.log(tfr)
    dx = np.diff(x)
    lagged, now = dx[:-1], dx[1:]
    rho = float(lagged @ now / (lagged @ lagged))
    resid = now - rho * lagged
    sigma = float(np.sqrt(resid @ resid / (now.size - 1)))
    rho_se = float(sigma / np.sqrt(lagged @ lagged))
    boys_from = max(history.births_first, origin - settings.boys_years)
    births = np.array([history.births_in(t) for t in range(boys_from, origin)])
    return {
        "shape": shape,
        "births_ratio": ratio,
        "boys": float(births[:, 1].sum() / births.sum()),
        "log_tfr": float(x[-1]),
        "dlog_tfr": float(dx[-settings.fertility_trend_years :].mean()),
        "rho": rho,
        "rho_se": rho_se,
        "tfr_sigma": sigma,
        "tfr_last": float(tfr[-1]),
        "tfr_last_from_births": estimated_last,
        "years": [history.asfr_first, last],
    }


def migration_series(
    history: ComponentHistory, population: PopulationTable, origin: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cohort residuals ``(T, 2, A)`` and their totals ``(T,)`` for years 1986..origin-1."""
    first = max(MIGRATION_FIRST, history.deaths_first, population.first_year)
    years = range(first, origin)
    cells = np.array(
        [
            cohort_residuals(
                population.at(t), population.at(t + 1), history.deaths_in(t), history.births_in(t)
            )
            for t in years
        ]
    )
    return cells, cells.sum(axis=(1, 2))


def fit_ar1(series: np.ndarray) -> dict:
    """Least-squares AR(1) ``N(t) = c + phi N(t-1) + sigma e(t)`` with its sampling errors.

    Returns
    -------
    dict
        ``beta`` (c, phi), ``cov`` of beta, ``sigma``, ``sigma_sd`` (sd of log sigma),
        ``pool`` (standardised residuals), ``mu``, ``half_life`` (years; inf if phi >= 1).
    """
    y = series[1:]
    design = np.stack([np.ones_like(y), series[:-1]], axis=1)
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ beta
    dof = y.size - 2
    if dof < 3:
        raise ValueError(f"an AR(1) fit needs at least 6 years; got {series.size}")
    s2 = float(resid @ resid / dof)
    cov = s2 * np.linalg.inv(design.T @ design)
    c, phi = (float(v) for v in beta)
    sigma = float(np.sqrt(s2))
    return {
        "beta": beta,
        "cov": cov,
        "sigma": sigma,
        "sigma_sd": float(1.0 / np.sqrt(2 * dof)),
        "pool": np.sort(resid / sigma),
        "mu": c / (1 - phi) if phi < 1 else float("nan"),
        "phi": phi,
        "phi_se": float(np.sqrt(cov[1, 1])),
        "half_life": float(np.log(0.5) / np.log(phi)) if 0 < phi < 1 else float("inf"),
        "skewness": float(np.mean(resid**3) / np.mean(resid**2) ** 1.5),
    }


def _fit_migration(
    history: ComponentHistory, population: PopulationTable, origin: int, settings: ComponentSettings
) -> dict:
    cells, totals = migration_series(history, population, origin)
    if totals.size < 8:
        raise DataError(
            history.source, f"origin {origin} needs at least 8 years of migration before it"
        )
    ar = fit_ar1(totals)
    past = cells[-settings.deviation_years :]
    level = totals[-settings.deviation_years :]
    if settings.profile == "share":
        recent = cells[-settings.profile_years :]
        profile = recent.sum(axis=0) / recent.sum()
        deviations = past - level[:, None, None] * profile[None]
    else:
        # each cell on the national total: M(t, s, a) = alpha + beta N(t). Summed over cells the
        # least-squares fits add up to N exactly (alpha sums to 0, beta to 1), so the total stays
        # the process's. A wave brings its own age mix (refugee families: more children) and
        # beta carries it; alpha rides on every resampled residual.
        design = np.stack([np.ones_like(level), level], axis=1)
        flat = past.reshape(past.shape[0], -1)
        coef, *_ = np.linalg.lstsq(design, flat, rcond=None)
        alpha = coef[0].reshape(past.shape[1:])
        profile = coef[1].reshape(past.shape[1:])
        deviations = alpha[None] + (flat - design @ coef).reshape(past.shape)
    mu_se = _mu_se(ar)
    lam, ref = 0.0, 1.0
    if settings.shock_scale == "level":
        lam, ref, pool = shock_scale(totals, ar)
        ar = {**ar, "pool": pool}
    # "level": a past year's deviation from the profile grows with the size of the year drawn
    # (in the kernel, times |N| / the mean level of the deviation years)
    deviation_level = float(np.abs(level).mean()) if settings.deviation_scale == "level" else 0.0
    return {
        "profile": profile,
        "deviations": deviations,
        "deviation_level": deviation_level,
        "ar": ar,
        "shock_scale": (lam, ref),
        "last": float(totals[-1]),
        "years": [origin - totals.size, origin - 1],
        "mu_se": mu_se,
        "negative_profile_cells": int((profile < 0).sum()),
    }


def shock_scale(series: np.ndarray, ar: dict, grid: int = 21) -> tuple[float, float, np.ndarray]:
    """How the migration shock's sd grows with the level: ``(lambda, ref, pool)``.

    The sd of the shock in year ``t`` is ``sigma * ((1 - lambda) + lambda |N(t-1)| / ref``)``
    with ``ref`` the mean of ``|N(t-1)|``: ``lambda = 0`` is today's constant sd, ``1`` an sd
    proportional to last year's level (migration as a rate of itself). ``lambda`` maximises
    the normal likelihood of the AR(1)'s residuals on a grid over [0, 1]; ``pool`` are the
    residuals standardised by their year's sd (so the resampled shocks keep their skew).
    """
    y, x = series[1:], np.abs(series[:-1])
    resid = y - ar["beta"][0] - ar["beta"][1] * series[:-1]
    ref = float(x.mean())
    best = (-np.inf, 0.0)
    for lam in np.linspace(0.0, 1.0, grid):
        spread = (1 - lam) + lam * x / ref
        if spread.min() <= 0:
            continue
        s2 = np.mean((resid / spread) ** 2)
        loglik = -np.log(spread).sum() - 0.5 * y.size * np.log(s2)
        if loglik > best[0]:
            best = (loglik, float(lam))
    lam = best[1]
    spread = (1 - lam) + lam * x / ref
    return lam, ref, np.sort(resid / spread / ar["sigma"])


def _mu_se(ar: dict) -> float:
    """Delta-method standard error of ``mu = c / (1 - phi)``."""
    c, phi = ar["beta"]
    if phi >= 1:
        return float("inf")
    grad = np.array([1 / (1 - phi), c / (1 - phi) ** 2])
    return float(np.sqrt(grad @ ar["cov"] @ grad))


def fit_components(
    population: PopulationTable,
    history: ComponentHistory,
    origin: int,
    settings: ComponentSettings | None = None,
) -> ComponentFit:
    """Fit mortality, fertility and migration on what was known on 1 January ``origin``.

    Parameters
    ----------
    population : PopulationTable
        Population by age and sex on 1 January (years after the origin are not used).
    history : ComponentHistory
        Deaths, rates and births (years from the origin on are not used).
    origin : int
        The first 1 January of the projection.
    settings : ComponentSettings, optional
        Window lengths.

    Returns
    -------
    ComponentFit

    Raises
    ------
    DataError
        If a series starts too late or ends too early for the origin.
    """
    settings = settings or ComponentSettings()
    known = population.until(origin)
    past = history.until(origin)
    for what, last in past.last_year.items():
        if what != "asfr" and last < origin - 1:
            raise DataError(
                history.source,
                f"origin {origin} needs {what} up to {origin - 1}; they end in {last}",
            )
    mortality = _fit_mortality(
        past,
        origin,
        settings.mortality_years,
        settings.jump_years,
        settings.deviation_years,
        settings.mortality_trend,
        settings.k_process,
        settings.jump_along,
        settings.old_age,
        settings.kannisto_from,
        settings.trend_error,
    )
    fertility = _fit_fertility(past, known, origin, settings)
    migration = _fit_migration(past, known, origin, settings)
    ar = migration["ar"]
    estimates = {
        "mortality": {
            k: v
            for k, v in mortality.items()
            if k
            in (
                "years",
                "trend",
                "lee_carter_drift",
                "improvement_60_89_pct",
                "drift_se",
                "step_sd",
                "walk_sd",
                "transient_sd",
                "step_correlation",
                "kannisto_last",
                "trend_se_90_99_pct",
            )
        },
        "fertility": {
            k: fertility[k]
            for k in (
                "years",
                "rho",
                "rho_se",
                "tfr_sigma",
                "tfr_last",
                "tfr_last_from_births",
                "boys",
                "births_ratio",
            )
        },
        "migration": {
            "years": migration["years"],
            "mu": ar["mu"],
            "mu_se": migration["mu_se"],
            "phi": ar["phi"],
            "phi_se": ar["phi_se"],
            "half_life": ar["half_life"],
            "sigma": ar["sigma"],
            "skewness": ar["skewness"],
            "last": migration["last"],
            "negative_profile_cells": migration["negative_profile_cells"],
            "shock_lambda": migration["shock_scale"][0],
        },
    }
    return ComponentFit(
        origin=origin,
        start=known.at(origin).copy(),
        log_mx=mortality["log_mx"],
        bx=mortality["bx"],
        mx_shocks=mortality["shocks"],
        age_drift=mortality["age_drift"],
        k_drift=mortality["k_drift"],
        k_drift_chol=mortality["k_drift_chol"],
        k_step_chol=mortality["k_step_chol"],
        k_noise_chol=mortality["k_noise_chol"],
        shape=fertility["shape"],
        births_ratio=fertility["births_ratio"],
        boys=fertility["boys"],
        log_tfr=fertility["log_tfr"],
        dlog_tfr=fertility["dlog_tfr"],
        rho=fertility["rho"],
        rho_se=fertility["rho_se"],
        tfr_sigma=fertility["tfr_sigma"],
        mig_beta=np.asarray(ar["beta"], dtype=float),
        mig_chol=np.linalg.cholesky(ar["cov"]),
        mig_sigma=ar["sigma"],
        mig_sigma_sd=ar["sigma_sd"],
        mig_last=migration["last"],
        mig_pool=ar["pool"],
        mig_scale=np.array(migration["shock_scale"], dtype=float),
        profile=migration["profile"],
        deviations=migration["deviations"],
        estimates=estimates,
        deviation_level=migration["deviation_level"],
        drift_se=mortality["age_drift_se"],
        drift_chol=mortality["age_drift_chol"],
    )


@dataclass(frozen=True)
class ComponentModel(HorizonAxes):
    """A fitted component projection for the engine: ``simulate(rng, n)`` gives draws.

    Same interface as :class:`mc.model.projection.ProjectionModel` at the national level, so
    the bands and backtests of :mod:`mc.summary.population` read either.

    Parameters
    ----------
    fit : ComponentFit
        The fitted processes.
    horizon : int
        Years to project (1-10).
    groups : tuple of str
        Reported age groups (``total`` is added first).
    extra : tuple of float
        Extra net immigration in each projection year (a scenario on top of the process).
    profile : ndarray, optional
        Its age/sex shares, ``(2, 106)``; required when ``extra`` is non-zero.
    """

    fit: ComponentFit
    horizon: int
    groups: tuple[str, ...] = BROAD_GROUPS
    extra: tuple[float, ...] = ()
    profile: np.ndarray | None = None

    def __post_init__(self) -> None:
        self._check_horizon()
        if any(self.extra) and self.profile is None:
            raise ConfigError("profile", None, "an age/sex profile when extra immigration is given")

    @property
    def regions(self) -> tuple[str, ...]:
        """Only the nation, ``0000``."""
        return ("0000",)

    def inputs(self) -> CohortInputs:
        """Kernel inputs."""
        f = self.fit
        _, lo, hi = output_groups(self.groups)
        extra = np.zeros(self.horizon)
        extra[: len(self.extra)] = self.extra[: self.horizon]
        shares = (
            np.zeros((2, N_AGES)) if self.profile is None else self.profile / self.profile.sum()
        )
        fertility = np.array([f.births_ratio, f.boys, f.log_tfr, f.dlog_tfr, f.rho, f.rho_se])
        return CohortInputs(
            f.start,
            f.log_mx,
            f.bx,
            f.mx_shocks,
            f.age_drift,
            f.k_drift,
            f.k_drift_chol,
            f.k_step_chol,
            f.shape,
            fertility,
            f.tfr_sigma,
            f.mig_beta,
            f.mig_chol,
            np.array([f.mig_sigma, f.mig_sigma_sd, f.mig_last]),
            f.mig_pool,
            f.profile,
            f.deviations,
            extra,
            shares,
            lo,
            hi,
            f.deviation_level,
            f.k_noise_chol,
            f.mig_scale,
            f.drift_se,
            f.drift_chol,
        )

    def simulate(
        self, rng: np.random.Generator, n: int, backend: str = "numba", cells: bool = False
    ) -> dict[str, np.ndarray]:
        """Draws: ``population (n, 1, H, G)``, ``net_migration``, ``births`` (n, H), ``clipped``.

        With ``cells``, also ``cells (n, H, 2, A)``: the population by sex and single-year age
        (the national draw a municipal run reconciles to); the other draws are unchanged.

        Raises
        ------
        ConfigError
            If ``backend`` is not ``numba`` or ``numpy``.
        """
        kernels = {"numba": project_numba, "numpy": project_numpy}
        if backend not in kernels:
            raise ConfigError("backend", backend, f"one of {sorted(kernels)}")
        by_cell = np.empty((n, self.horizon, 2, N_AGES)) if cells else None
        population, migration, births, clipped = kernels[backend](rng, n, self.inputs(), by_cell)
        out = {
            "population": population,
            "net_migration": migration,
            "births": births,
            "clipped": clipped.astype(float),
        }
        if by_cell is not None:
            out["cells"] = by_cell
        return out

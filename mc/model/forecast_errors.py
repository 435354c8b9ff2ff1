"""Error distributions from budget-time forecast errors, as of a stated date.

A row of the forecast-error table (``configs/tables/forecast-errors.yaml``, read by
:mod:`mc.data.forecast_errors`) is one forecast of one variable for one year against one vintage
of its outcome; ``error = outcome - forecast``. :meth:`ErrorSample.build` collects the rows of one
variable that were public on a date (``as_of``), and :func:`fit_errors` turns the errors into a
predictive distribution for next year's error.

The fit is the conjugate normal model with unknown mean and variance,

    sigma^2 ~ InvGamma(a0, b0),  mu | sigma^2 ~ Normal(mu0, sigma^2 / kappa0),
    errors | mu, sigma^2 ~ Normal(mu, sigma^2) independently,

whose posterior predictive for one more error is a location-scale Student t with ``2 a_n`` degrees
of freedom, ``a_n = a0 + n / 2``. The default priors (:data:`PRIORS`) take ``a0 = 1/2``: the
predictive then has ``n + 1`` degrees of freedom, and its variance,
``b_n (1 + 1/kappa_n) / (a_n - 1)``, is at least the sample variance ``s^2`` for any data and any
``b0 > 0`` (because ``b_n >= (n - 1) s^2 / 2`` and ``a_n - 1 = (n - 1) / 2``). A sample of two or
three errors therefore gives a wide, heavy-tailed predictive, never a narrower one than the
sample's own spread. Several years drawn together
(:meth:`ErrorFit.sample_paths`) share one draw of ``(mu, sigma^2)``, so a run of misses in the same
direction is as likely as the posterior's uncertainty about a bias makes it.

No file is read here; the reader is :func:`mc.data.forecast_errors.load_forecast_errors`.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mc.errors import ConfigError, DataError
from mc.model.schema import read_date
from mc.sampling.seeds import as_generator

HORIZONS = ("budget", "revised", "late")
"""When a forecast was made: the National Budget for the year (October before), the Revised
National Budget (May of the year), the National Budget for the next year (October of the year)."""

LATE_POLICIES = ("refuse", "flag", "drop")
"""What :meth:`ErrorSample.build` does with a row published after ``as_of``: raise, keep it with a
warning, or leave it out (a backtest: only what was known then)."""

STATUSES = ("final", "preliminary")

SKEW_MIN_N = 8
"""Below this many errors the sample skewness is reported but never taken as support for a
skewed fit: its standard error is then above 0.75 and a single year decides its sign."""


class LateInputWarning(UserWarning):
    """A forecast-error row published after ``as_of`` was kept because the caller asked to flag."""


#: An ISO date from YAML's ``date`` or text (one reader for every dated field).
parse_date = read_date


@dataclass(frozen=True)
class ForecastErrorRow:
    """One forecast of one variable for one year, against one vintage of the outcome.

    ``forecast`` and ``outcome`` are ``None`` when the source states only the miss.
    ``line`` is the row's 1-based line in its file (``None`` for rows built in code).
    """

    variable: str
    year: int
    horizon: str
    vintage: str
    published: dt.date
    outcome_vintage: str
    outcome_published: dt.date
    error: float
    source: str
    outcome_source: str
    forecast: float | None = None
    outcome: float | None = None
    status: str = "final"
    note: str = ""
    line: int | None = None

    @property
    def known_on(self) -> dt.date:
        """The first day both the forecast and the outcome were public."""
        return max(self.published, self.outcome_published)

    @property
    def label(self) -> str:
        """Short name of the row for messages: variable, year, forecast and outcome vintages."""
        return f"{self.variable} {self.year} ({self.vintage} vs {self.outcome_vintage})"


def _late_rule(row: ForecastErrorRow, as_of: dt.date) -> str:
    return (
        f"row {row.label} was published after as_of {as_of.isoformat()}: forecast published "
        f"{row.published.isoformat()}, outcome published {row.outcome_published.isoformat()}; "
        "only rows whose forecast and outcome were both public on or before as_of are allowed "
        "(or ask to 'flag' or 'drop' later rows)"
    )


@dataclass(frozen=True)
class ErrorSample:
    """The forecast errors of one variable as they could be known on ``as_of``.

    Build it with :meth:`build`. ``rows`` are the rows used, one per target year; ``flagged``
    are rows published after ``as_of`` that were kept on request, ``dropped`` those left out for
    that reason, ``superseded`` earlier outcome vintages (or later-preferred horizons) of a year
    that has a row in ``rows``.
    """

    variable: str
    as_of: dt.date
    horizons: tuple[str, ...]
    rows: tuple[ForecastErrorRow, ...]
    flagged: tuple[ForecastErrorRow, ...] = ()
    dropped: tuple[ForecastErrorRow, ...] = ()
    superseded: tuple[ForecastErrorRow, ...] = ()

    @classmethod
    def build(
        cls,
        rows: Iterable[ForecastErrorRow],
        variable: str,
        as_of: dt.date | str,
        *,
        horizons: Sequence[str] = ("budget",),
        late: str = "refuse",
        source: str = "forecast-error table",
    ) -> ErrorSample:
        """Select the rows of ``variable`` known on ``as_of``, one per target year.

        Parameters
        ----------
        rows : iterable of ForecastErrorRow
            The whole table (rows of other variables are ignored).
        variable : str
            The variable, e.g. ``"deflator_pct"``.
        as_of : date or str
            The information date; an ISO string is accepted.
        horizons : sequence of str
            Forecast horizons to use, in order of preference (see :data:`HORIZONS`). A year
            with rows at several horizons keeps the first horizon listed.
        late : {"refuse", "flag", "drop"}
            A row of ``variable`` whose forecast or outcome was published after ``as_of`` is
            refused (``DataError``), kept with a :class:`LateInputWarning` and listed in
            ``flagged``, or left out and listed in ``dropped``.
        source : str
            Name of the table, for messages.

        Returns
        -------
        ErrorSample

        Raises
        ------
        ConfigError
            If ``late`` or a horizon is not one of the allowed values, or ``as_of`` is not a date.
        DataError
            With ``late="refuse"``, naming the first row published after ``as_of``, its two
            dates and ``as_of``.

        Examples
        --------
        >>> import datetime as dt
        >>> row = ForecastErrorRow("deflator_pct", 2022, "budget", "NB22", dt.date(2021, 10, 12),
        ...     "KS", dt.date(2024, 6, 25), 4.2, "ks.no", "ks.no", forecast=2.5, outcome=6.7)
        >>> ErrorSample.build([row], "deflator_pct", "2025-01-01").errors
        array([4.2])
        """
        as_of = parse_date(as_of, "as_of")
        if late not in LATE_POLICIES:
            raise ConfigError("late", late, f"must be one of {list(LATE_POLICIES)}")
        horizons = tuple(horizons)
        bad = [h for h in horizons if h not in HORIZONS]
        if bad or not horizons:
            raise ConfigError(
                "horizons", list(horizons), f"a non-empty list drawn from {list(HORIZONS)}"
            )
        mine = [r for r in rows if r.variable == variable and r.horizon in horizons]
        kept, flagged, dropped = [], [], []
        for row in mine:
            if row.known_on <= as_of:
                kept.append(row)
            elif late == "refuse":
                raise DataError(source, _late_rule(row, as_of), row.line)
            elif late == "flag":
                warnings.warn(_late_rule(row, as_of), LateInputWarning, stacklevel=2)
                kept.append(row)
                flagged.append(row)
            else:
                dropped.append(row)
        chosen, superseded = _one_per_year(kept, horizons)
        return cls(
            variable=variable,
            as_of=as_of,
            horizons=horizons,
            rows=tuple(chosen),
            flagged=tuple(flagged),
            dropped=tuple(dropped),
            superseded=tuple(superseded),
        )

    @property
    def errors(self) -> np.ndarray:
        """The errors, in the order of the target years."""
        return np.array([r.error for r in self.rows], dtype=float)

    @property
    def years(self) -> tuple[int, ...]:
        """The target years in the sample."""
        return tuple(r.year for r in self.rows)

    @property
    def n(self) -> int:
        """The sample size."""
        return len(self.rows)

    def fit(self, prior: ErrorPrior | None = None) -> ErrorFit:
        """Fit the predictive distribution; ``prior`` defaults to :data:`PRIORS` [variable]."""
        if prior is None:
            if self.variable not in PRIORS:
                raise ConfigError(
                    "prior", None, f"give a prior: no default for variable '{self.variable}'"
                )
            prior = PRIORS[self.variable]
        return fit_errors(self.errors, prior, origin=self)


@dataclass(frozen=True)
class ForecastErrorTable:
    """All rows of a forecast-error table and the unit of each variable.

    Built by :func:`mc.data.forecast_errors.load_forecast_errors`, or in code for tests.
    """

    rows: tuple[ForecastErrorRow, ...]
    units: tuple[tuple[str, str], ...]  # (variable, unit), in the table's order
    source: str = "forecast-error table"

    @property
    def variables(self) -> tuple[str, ...]:
        """The variables the table declares."""
        return tuple(name for name, _ in self.units)

    def unit(self, variable: str) -> str:
        """The unit of ``variable``."""
        self._check(variable)
        return dict(self.units)[variable]

    def _check(self, variable: str) -> None:
        if variable not in self.variables:
            raise ConfigError(
                "variable", variable, f"must be one of {list(self.variables)}", self.source
            )

    def sample(
        self,
        variable: str,
        as_of: dt.date | str,
        *,
        horizons: Sequence[str] = ("budget",),
        late: str = "refuse",
    ) -> ErrorSample:
        """The sample of ``variable`` as of ``as_of``; see :meth:`ErrorSample.build`.

        Raises
        ------
        ConfigError
            If the table has no such variable, or an argument is not allowed.
        DataError
            With ``late="refuse"``, if a row of ``variable`` was published after ``as_of``.
        """
        self._check(variable)
        return ErrorSample.build(
            self.rows, variable, as_of, horizons=horizons, late=late, source=self.source
        )


def _one_per_year(
    rows: list[ForecastErrorRow], horizons: tuple[str, ...]
) -> tuple[list[ForecastErrorRow], list[ForecastErrorRow]]:
    """Per target year: the preferred horizon, then the latest outcome vintage (ties: last row)."""
    chosen: dict[int, ForecastErrorRow] = {}
    for row in rows:
        best = chosen.get(row.year)
        if best is None:
            chosen[row.year] = row
            continue
        rank_new, rank_old = horizons.index(row.horizon), horizons.index(best.horizon)
        if rank_new < rank_old or (
            rank_new == rank_old and row.outcome_published >= best.outcome_published
        ):
            chosen[row.year] = row
    keep = [chosen[y] for y in sorted(chosen)]
    ids = {id(r) for r in keep}
    return keep, [r for r in rows if id(r) not in ids]


@dataclass(frozen=True)
class ErrorPrior:
    """Normal-inverse-gamma prior of the error's mean ``mu`` and variance ``sigma^2``.

    Parameters
    ----------
    mu0 : float
        Prior mean of ``mu``: 0, forecasts unbiased until the data say otherwise.
    kappa0 : float
        Weight of ``mu0`` in observations: 1 keeps it weak.
    a0 : float
        Shape of ``sigma^2``: ``2 a0`` is the weight of the prior scale in observations and the
        degrees of freedom of the predictive with no data (1/2 in :data:`PRIORS`).
    b0 : float
        Rate of ``sigma^2``. :meth:`weak` sets ``b0 = a0 s0^2`` so that the prior's expected
        precision is ``1 / s0^2``.
    basis : str
        Why these numbers, in words.
    """

    mu0: float
    kappa0: float
    a0: float
    b0: float
    basis: str = ""

    def __post_init__(self) -> None:
        for name in ("kappa0", "a0", "b0"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(f"prior.{name}", value, "must be a finite number > 0")
        if not math.isfinite(self.mu0):
            raise ConfigError("prior.mu0", self.mu0, "must be a finite number")

    @classmethod
    def weak(
        cls, s0: float, *, mu0: float = 0.0, kappa0: float = 1.0, a0: float = 0.5, basis: str = ""
    ) -> ErrorPrior:
        """A weak prior centred on a typical error size ``s0`` (``b0 = a0 s0^2``).

        With the default ``a0 = 1/2`` the prior's scale weighs as one observation and the
        predictive variance is never below the sample variance (see the module docstring).
        """
        if not (math.isfinite(s0) and s0 > 0):
            raise ConfigError("prior.s0", s0, "must be a finite number > 0")
        return cls(mu0=mu0, kappa0=kappa0, a0=a0, b0=a0 * s0**2, basis=basis)

    @property
    def s0(self) -> float:
        """The typical error size the prior is centred on, ``sqrt(b0 / a0)``."""
        return math.sqrt(self.b0 / self.a0)


# Default priors. Each takes a0 = 1/2 (the prior scale weighs as one observation; the predictive
# has n + 1 degrees of freedom and is never narrower than the sample), kappa0 = 1 (a bias is
# believed only to within about one prior scale) and mu0 = 0 (forecasts unbiased until the data
# say otherwise). s0 is today's judgement of a typical miss, so the data move the predictive
# away from the shipped economy table (configs/tables/economy.yaml), not from nothing.
PRIORS: dict[str, ErrorPrior] = {
    "deflator_pct": ErrorPrior.weak(
        0.94,
        basis="s0 = 0.94 pp, the sd of the deflator surprise implied by economy.yaml's wage and "
        "price drivers (t4, scales 0.5 and 1.2, weights 0.6/0.4)",
    ),
    "tax_revenue_bn": ErrorPrior.weak(
        7.0,
        basis="s0 = 7.0 bn kr, economy.yaml's 2.5 % tax surprise sd on 2024 taxes of 281.7 bn",
    ),
    "real_growth_free_revenues_bn": ErrorPrior.weak(
        8.5,
        basis="s0 = 8.5 bn kr: the tax prior (7.0 bn) and the deflator prior (0.94 pp of 2024 "
        "free revenues, 506.5 bn: 4.8 bn) added as independent",
    ),
    "real_growth_free_revenues_pct": ErrorPrior.weak(
        1.7,
        basis="s0 = 1.7 pp, the bn prior (8.5 bn) over 2024 free revenues (506.5 bn)",
    ),
    # the gap between a level's realised and budgeted net operating result (KS's budget survey)
    **{
        f"net_operating_result_{level}_pct": ErrorPrior.weak(
            1.0,
            basis="s0 = 1.0 pp, about the sector's one-year AR(1) residual on 2014-2022 (0.90 "
            "pp): a budget known in December should miss by no more than a year's surprise; "
            "mu0 = 0, budgets unbiased until the survey's record says otherwise",
        )
        for level in ("municipalities", "counties")
    },
}


@dataclass(frozen=True)
class PredictiveT:
    """A location-scale Student t: ``loc + scale * T_df``."""

    df: float
    loc: float
    scale: float

    def _frozen(self) -> Any:
        return stats.t(self.df, self.loc, self.scale)

    @property
    def mean(self) -> float:
        """The mean (``nan`` for ``df <= 1``)."""
        return self.loc if self.df > 1 else math.nan

    @property
    def sd(self) -> float:
        """The standard deviation (``inf`` for ``df <= 2``)."""
        return self.scale * math.sqrt(self.df / (self.df - 2)) if self.df > 2 else math.inf

    def ppf(self, q: Any) -> np.ndarray:
        """Quantiles at probabilities ``q``."""
        return np.asarray(self._frozen().ppf(q))

    def cdf(self, x: Any) -> np.ndarray:
        """P(error <= x)."""
        return np.asarray(self._frozen().cdf(x))

    def sf(self, x: Any) -> np.ndarray:
        """P(error > x)."""
        return np.asarray(self._frozen().sf(x))


@dataclass(frozen=True, eq=False)
class ErrorFit:
    """The fitted error distribution of one variable.

    ``mean`` and ``sd`` describe the sample (``sd`` with ``n - 1``; ``nan`` below two errors);
    ``mu_n, kappa_n, a_n, b_n`` are the posterior's parameters and ``predictive`` the posterior
    predictive of one more error.
    """

    prior: ErrorPrior
    errors: np.ndarray = field(repr=False)
    mu_n: float
    kappa_n: float
    a_n: float
    b_n: float
    origin: ErrorSample | None = None

    @property
    def n(self) -> int:
        """The sample size."""
        return int(self.errors.size)

    @property
    def mean(self) -> float:
        """The sample mean (``nan`` when empty)."""
        return float(self.errors.mean()) if self.n else math.nan

    @property
    def sd(self) -> float:
        """The sample standard deviation with ``n - 1`` (``nan`` below two errors)."""
        return float(self.errors.std(ddof=1)) if self.n > 1 else math.nan

    @property
    def skewness(self) -> float:
        """Adjusted Fisher-Pearson sample skewness G1 (``nan`` below three errors)."""
        if self.n < 3 or np.ptp(self.errors) == 0:
            return math.nan
        return float(stats.skew(self.errors, bias=False))

    @property
    def skewness_se(self) -> float:
        """Standard error of G1 under normality (``nan`` below three errors)."""
        n = self.n
        if n < 3:
            return math.nan
        return math.sqrt(6 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3)))

    @property
    def skew_supported(self) -> bool:
        """Whether the data support a skewed fit: ``n >= SKEW_MIN_N`` and ``|G1| > 2 SE``."""
        g1 = self.skewness
        return self.n >= SKEW_MIN_N and math.isfinite(g1) and abs(g1) > 2 * self.skewness_se

    @property
    def predictive(self) -> PredictiveT:
        """Posterior predictive of one more error: t with ``2 a_n`` df."""
        scale = math.sqrt(self.b_n * (self.kappa_n + 1) / (self.a_n * self.kappa_n))
        return PredictiveT(df=2 * self.a_n, loc=self.mu_n, scale=scale)

    def sample(
        self, rng: int | np.random.Generator | np.random.SeedSequence | None, n: int
    ) -> np.ndarray:
        """``n`` independent draws from the predictive.

        Parameters
        ----------
        rng : int, Generator, SeedSequence or None
            Random source (see :func:`mc.sampling.seeds.as_generator`).
        n : int
            Number of draws.

        Returns
        -------
        numpy.ndarray
            Shape ``(n,)``.
        """
        gen = as_generator(rng)
        p = self.predictive
        return p.loc + p.scale * gen.standard_t(p.df, size=n)

    def sample_paths(
        self, rng: int | np.random.Generator | np.random.SeedSequence | None, n: int, years: int
    ) -> np.ndarray:
        """``n`` paths of ``years`` errors that share one posterior draw of ``(mu, sigma^2)``.

        Each year on its own follows :attr:`predictive`; within a path the years are
        exchangeable, not independent, so a persistent bias is carried from year to year.

        Returns
        -------
        numpy.ndarray
            Shape ``(n, years)``.
        """
        gen = as_generator(rng)
        sigma2 = self.b_n / gen.gamma(self.a_n, 1.0, size=n)
        mu = self.mu_n + np.sqrt(sigma2 / self.kappa_n) * gen.standard_normal(n)
        return mu[:, None] + np.sqrt(sigma2)[:, None] * gen.standard_normal((n, years))

    def prob_above(self, threshold: float) -> float:
        """P(next year's error > threshold) under the predictive."""
        return float(self.predictive.sf(threshold))

    def prob_run(
        self,
        threshold: float,
        years: int,
        rng: int | np.random.Generator | np.random.SeedSequence | None,
        draws: int = 1_000_000,
    ) -> tuple[float, float]:
        """P(``years`` errors in a row all >= threshold), by simulation, and its Monte Carlo SE.

        Uses :meth:`sample_paths`, so the years share the posterior's uncertainty about the
        error's mean and spread.
        """
        paths = self.sample_paths(rng, draws, years)
        p = float(np.mean(np.all(paths >= threshold, axis=1)))
        return p, math.sqrt(p * (1 - p) / draws)


def fit_errors(
    errors: Sequence[float] | np.ndarray, prior: ErrorPrior, *, origin: ErrorSample | None = None
) -> ErrorFit:
    """Conjugate normal-inverse-gamma update of ``prior`` by ``errors``.

    Parameters
    ----------
    errors : array_like
        Forecast errors (outcome minus forecast), any number including none.
    prior : ErrorPrior
        The prior; see :data:`PRIORS`.
    origin : ErrorSample, optional
        Where the errors came from, kept for :func:`summary_table`.

    Returns
    -------
    ErrorFit

    Raises
    ------
    DataError
        If an error is not a finite number.

    Examples
    --------
    >>> fit = fit_errors([0.4, -0.1, 0.6], ErrorPrior.weak(1.0))
    >>> round(fit.predictive.df, 1), fit.predictive.sd > fit.sd
    (4.0, True)
    """
    x = np.asarray(errors, dtype=float).ravel()
    if not np.all(np.isfinite(x)):
        raise DataError("forecast errors", f"every error must be a finite number, got {x}")
    n = x.size
    mean = float(x.mean()) if n else 0.0
    ss = float(((x - mean) ** 2).sum())
    kappa_n = prior.kappa0 + n
    mu_n = (prior.kappa0 * prior.mu0 + n * mean) / kappa_n
    a_n = prior.a0 + n / 2
    b_n = prior.b0 + ss / 2 + prior.kappa0 * n * (mean - prior.mu0) ** 2 / (2 * kappa_n)
    return ErrorFit(
        prior=prior, errors=x, mu_n=mu_n, kappa_n=kappa_n, a_n=a_n, b_n=b_n, origin=origin
    )


QUANTILES = (0.05, 0.5, 0.95)


def summary_table(fits: Mapping[str, ErrorFit] | Iterable[ErrorFit]) -> pd.DataFrame:
    """One row per fitted variable: the sample, its moments and the predictive.

    Parameters
    ----------
    fits : mapping of name to ErrorFit, or iterable of ErrorFit
        With an iterable the names come from each fit's sample (``"errors"`` without one).

    Returns
    -------
    pandas.DataFrame
        Columns ``variable, as_of, horizons, n, years, mean, sd, skewness, skewness_se,
        skew_supported, df, loc, scale, pred_sd, q05, q50, q95, flagged, dropped``.
    """
    items = (
        list(fits.items())
        if isinstance(fits, Mapping)
        else [(f.origin.variable if f.origin else "errors", f) for f in fits]
    )
    records = []
    for name, fit in items:
        p = fit.predictive
        q = p.ppf(QUANTILES)
        s = fit.origin
        records.append(
            {
                "variable": name,
                "as_of": s.as_of.isoformat() if s else "",
                "horizons": ",".join(s.horizons) if s else "",
                "n": fit.n,
                "years": " ".join(str(y) for y in s.years) if s else "",
                "mean": fit.mean,
                "sd": fit.sd,
                "skewness": fit.skewness,
                "skewness_se": fit.skewness_se,
                "skew_supported": fit.skew_supported,
                "df": p.df,
                "loc": p.loc,
                "scale": p.scale,
                "pred_sd": p.sd,
                "q05": float(q[0]),
                "q50": float(q[1]),
                "q95": float(q[2]),
                "flagged": len(s.flagged) if s else 0,
                "dropped": len(s.dropped) if s else 0,
            }
        )
    return pd.DataFrame.from_records(records)

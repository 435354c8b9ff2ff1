"""The forecast-error section of the docs, as Markdown, regenerated from the table and the fits.

``docs/make_forecast_errors.py`` calls :func:`forecast_error_section` and writes the result
between the markers of ``docs/forecast-errors.md``. Nothing here reads or writes files.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from mc.model.forecast_errors import ErrorFit, ForecastErrorTable, summary_table
from mc.sampling.dependence import iman_conover
from mc.sampling.marginals import Marginal
from mc.sampling.seeds import as_generator

MISS_2022 = 4.2  # pp: NB22's deflator miss for 2022 (KS)
RUN_THRESHOLD, RUN_YEARS = 0.3, 4  # 2021-2024: four budget-time misses of at least +0.3 pp


@dataclass(frozen=True)
class DeflatorOdds:
    """P(a miss >= 4.2 pp) and P(four misses in a row >= +0.3 pp), with Monte Carlo SEs."""

    p_miss: float
    se_miss: float
    p_run: float
    se_run: float
    draws: int


#: The judgement drivers the economy model drew its surprises from before issue 15 (wage, price,
#: tax, interest; ``configs/tables/economy.yaml`` until then), kept to compare with the record.
FORMER_DRIVERS = (
    Marginal("t", (("mean", 0.0), ("scale", 0.5), ("df", 4.0))),
    Marginal("t", (("mean", 0.0), ("scale", 1.2), ("df", 4.0))),
    Marginal("normal", (("mean", 0.0), ("sd", 2.5))),
    Marginal("normal", (("mean", 0.0), ("sd", 0.5))),
)
FORMER_SPEARMAN = np.array(
    [[1.0, 0.5, 0.6, 0.3], [0.5, 1.0, 0.3, 0.5], [0.6, 0.3, 1.0, 0.2], [0.3, 0.5, 0.2, 1.0]]
)
FORMER_WAGE_WEIGHT = 0.6


def former_deflator_odds(
    rng: int | np.random.Generator | np.random.SeedSequence | None,
    draws: int = 2_000_000,
) -> DeflatorOdds:
    """The odds under the former judgement drivers (:data:`FORMER_DRIVERS`).

    The deflator surprise was ``w * wage + (1 - w) * price`` with ``w`` = 0.6. Years were
    independent, so the run's probability is ``P(>= 0.3)^4``; its SE follows by the delta
    method, ``4 p^3 se(p)``.
    """
    gen = as_generator(rng)
    u = gen.random((draws, len(FORMER_DRIVERS)))
    raw = np.column_stack([m.ppf(u[:, j]) for j, m in enumerate(FORMER_DRIVERS)])
    s = iman_conover(raw, FORMER_SPEARMAN, gen)
    surprise = FORMER_WAGE_WEIGHT * s[:, 0] + (1 - FORMER_WAGE_WEIGHT) * s[:, 1]
    p_miss = float(np.mean(surprise >= MISS_2022))
    p_one = float(np.mean(surprise >= RUN_THRESHOLD))
    se_one = math.sqrt(p_one * (1 - p_one) / draws)
    return DeflatorOdds(
        p_miss=p_miss,
        se_miss=math.sqrt(p_miss * (1 - p_miss) / draws),
        p_run=p_one**RUN_YEARS,
        se_run=RUN_YEARS * p_one ** (RUN_YEARS - 1) * se_one,
        draws=draws,
    )


def fitted_deflator_odds(
    fit: ErrorFit,
    rng: int | np.random.Generator | np.random.SeedSequence | None,
    draws: int = 2_000_000,
) -> DeflatorOdds:
    """The odds under a fitted predictive; the run shares the posterior's (mu, sigma^2)."""
    p_run, se_run = fit.prob_run(RUN_THRESHOLD, RUN_YEARS, rng, draws)
    return DeflatorOdds(
        p_miss=fit.prob_above(MISS_2022), se_miss=0.0, p_run=p_run, se_run=se_run, draws=draws
    )


def _num(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float) and math.isinf(x):
        return "∞"
    return f"{x:.{digits}f}".replace("-", "−")


def _one_in(p: float) -> str:
    return f"1 in {1 / p:,.0f}" if p > 0 else "0"


def sample_table(table: ForecastErrorTable, fits: dict[str, ErrorFit]) -> list[str]:
    """Markdown rows: every error used, with its vintages and source."""
    out = [
        "| variable | year | horizon | forecast (vintage, published) | outcome (vintage, "
        "published) | error | status | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, fit in fits.items():
        unit = table.unit(name)
        rows = fit.origin.rows if fit.origin is not None else ()
        for r in rows:
            forecast = "–" if r.forecast is None else _num(r.forecast, 2 if unit == "bn kr" else 1)
            outcome = "–" if r.outcome is None else _num(r.outcome, 2 if unit == "bn kr" else 1)
            src = r.source if r.source.startswith("http") else r.source.split(":")[0]
            src = f"<{src}>" if src.startswith("http") else src
            out.append(
                f"| {name} | {r.year} | {r.horizon} | {forecast} ({r.vintage}, "
                f"{r.published.isoformat()}) | {outcome} ({r.outcome_vintage}, "
                f"{r.outcome_published.isoformat()}) | {_num(r.error)} {unit} | {r.status} | "
                f"{src} |"
            )
    return out


def fit_table(table: ForecastErrorTable, fits: dict[str, ErrorFit]) -> list[str]:
    """Markdown rows: sample moments and the fitted predictive of each variable."""
    frame = summary_table(fits)
    out = [
        "| variable (unit) | horizons | n | years | mean | sd | skewness (SE) | prior s0 | "
        "df | location | scale | predictive sd | 5 % | 50 % | 95 % |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for rec in frame.to_dict("records"):
        fit = fits[rec["variable"]]
        skew = (
            "–"
            if math.isnan(rec["skewness"])
            else f"{_num(rec['skewness'])} ({_num(rec['skewness_se'])})"
            + (", supported" if rec["skew_supported"] else "")
        )
        out.append(
            f"| {rec['variable']} ({table.unit(rec['variable'])}) | {rec['horizons']} | "
            f"{rec['n']} | {rec['years']} | {_num(rec['mean'])} | {_num(rec['sd'])} | {skew} | "
            f"{_num(fit.prior.s0)} | {rec['df']:.0f} | {_num(rec['loc'])} | "
            f"{_num(rec['scale'])} | {_num(rec['pred_sd'])} | {_num(rec['q05'])} | "
            f"{_num(rec['q50'])} | {_num(rec['q95'])} |"
        )
    return out


def odds_table(today: DeflatorOdds, fitted: DeflatorOdds) -> list[str]:
    """Markdown rows: the two deflator probabilities, today versus fitted."""
    return [
        "| probability | former judgement drivers (before issue 15) | fitted predictive |",
        "|---|---|---|",
        f"| P(budget-time deflator miss ≥ +{MISS_2022} pp), one year | "
        f"{today.p_miss:.5f} ± {today.se_miss:.5f} ({_one_in(today.p_miss)}) | "
        f"{fitted.p_miss:.4f} ({_one_in(fitted.p_miss)}), exact |",
        f"| P({RUN_YEARS} misses in a row ≥ +{RUN_THRESHOLD} pp) | "
        f"{today.p_run:.4f} ± {today.se_run:.4f} (years independent) | "
        f"{fitted.p_run:.3f} ± {fitted.se_run:.4f} (years share the posterior's mean and sd) |",
    ]


def forecast_error_section(
    table: ForecastErrorTable,
    fits: dict[str, ErrorFit],
    today: DeflatorOdds,
    fitted: DeflatorOdds,
    *,
    backtest: dict[str, ErrorFit] | None = None,
    generated: dt.date | None = None,
) -> str:
    """The generated part of ``docs/forecast-errors.md``.

    Parameters
    ----------
    table : ForecastErrorTable
        The table the samples came from (for units).
    fits : dict of str to ErrorFit
        The fits to show, by variable, each built from an :class:`ErrorSample`.
    today, fitted : DeflatorOdds
        The deflator odds under the former drivers and under ``fits["deflator_pct"]``.
    backtest : dict of str to ErrorFit, optional
        Fits as of an earlier date (rows published later left out), shown as a second table.
    generated : date, optional
        Shown in the header line.

    Returns
    -------
    str
        Markdown.
    """
    as_of = {f.origin.as_of.isoformat() for f in fits.values() if f.origin is not None}
    lines = [
        "Generated by `docs/make_forecast_errors.py`"
        + (f" on {generated.isoformat()}" if generated else "")
        + f"; samples as of {', '.join(sorted(as_of))}.",
        "",
        "### The samples",
        "",
        *sample_table(table, fits),
        "",
        "### The fitted predictive distributions",
        "",
        *fit_table(table, fits),
        "",
    ]
    if backtest:
        when = {f.origin.as_of.isoformat() for f in backtest.values() if f.origin is not None}
        dropped = sum(len(f.origin.dropped) for f in backtest.values() if f.origin is not None)
        lines += [
            f"As of {', '.join(sorted(when))} (configs/tbu-2025.yaml, the TBU March 2024 run), "
            "leaving out the "
            f"{dropped} rows published later:",
            "",
            *fit_table(table, backtest),
            "",
        ]
    lines += [
        "### The deflator's odds, former drivers versus fitted",
        "",
        *odds_table(today, fitted),
        "",
        f"The former drivers' column draws {today.draws:,} one-year samples of the judgement "
        "drivers `configs/tables/economy.yaml` had before issue 15 (wage and price t4, scales "
        "0.5 and 1.2, Spearman 0.5, deflator surprise = 0.6 wage + 0.4 price; "
        "`mc.report.forecast_errors.FORMER_DRIVERS`); the fitted column uses the predictive of "
        f"the budget-horizon deflator sample above ({fitted.draws:,} paths for the run).",
    ]
    return "\n".join(lines) + "\n"

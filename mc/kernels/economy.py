"""The municipal sector's accounts year by year and draw by draw.

Free revenues, real growth, the two kinds of room for manoeuvre and the net operating result
follow from the plan and the year's surprises (each surprise is ``outcome - budget-time
forecast``, drawn from the forecast-error record; see :mod:`mc.model.economy`).

For year ``t`` (plan values carry a ``b``; outcomes do not):

- deflator ``d = d_b + e_d`` (percent; ``e_d`` the deflator surprise in pp);
- taxes ``T = T_plan + e_T`` (bn kr) with ``T_plan = T_plan[t-1] * (1 + g_b / 100)``; the
  surprise is temporary: next year's plan starts from the planned level;
- free revenues ``FI = FI_plan + e_T`` with ``FI_plan = FI_plan[t-1] * (1 + d_b / 100) + RG_plan``;
- real growth in free revenues ``RG = FI - FI[t-1] * (1 + d / 100)`` (TBU's definition: nominal
  growth deflated with the outcome deflator), in kroner of year ``t``;
- demographic costs come in the kroner of an earlier price year ``p`` (TBU prices year ``t``'s
  costs in ``t - 1`` kroner) and are moved to year-``t`` kroner before they meet real growth:
  ``D_t = D_p * prod_{k=p+1..t} (1 + d_k / 100)``, with the budget's deflators for the ex-ante
  room and the outcome deflators for the realised one;
- the budget's room ``ex_ante = RG_plan - D_t(budget deflators) - pension`` (what the plan leaves
  after demography and pension, TBU's "handlingsrom", with this draw's demographic cost);
- what the surprises left ``realised = RG - D_t(outcome deflators) - pension``;
- operating revenues ``R = R[t-1] * (1 + d / 100) + RG + demographic cost financed otherwise``;
- the sector's net operating result, in percent of ``R``::

      NDR = mu + phi * (NDR[t-1] - mu) + 100 * shock / R + residual
      shock = u_T - FI[t-1] * u_d / 100 - (D_t - D_t,budget) - debt_share * R[t-1] * u_i / 100

  with ``u = e - c`` each surprise less its expected value ``c`` (``surprise_centre``): the
  level ``mu`` was fitted on outcomes that already contain the record's average surprise, so
  only the departure from it moves the result. ``i`` is the interest surprise in percentage
  points and ``D_t,budget`` the demographic cost the budget assumed, in year-``t`` kroner.

Outputs per draw, scenario and year are listed in :data:`OUTPUTS`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

#: Order of the economic surprises in the ``surprises`` array.
DRIVERS = ("deflator_surprise_pp", "tax_surprise_bn", "interest_surprise_pp")
#: Order of the outputs on the last axis.
OUTPUTS = (
    "deflator_pct",
    "tax_growth_pct",
    "real_growth_free_revenues_bn",
    "handlingsrom_ex_ante_bn",
    "realised_room_bn",
    "free_revenues_bn",
    "net_operating_result_pct",
    "nominal_growth_free_revenues_pct",
)
_NDR = OUTPUTS.index("net_operating_result_pct")


class EconomyInputs(NamedTuple):
    """Plan per year (``Y``) and the base year's accounts."""

    deflator_b: np.ndarray  # (Y,) budget deflator, %
    tax_growth_b: np.ndarray  # (Y,) budget tax growth, %
    real_growth_plan: np.ndarray  # (Y,) planned real growth in free revenues, bn kr of the year
    pension: np.ndarray  # (Y,) real growth in pension costs, bn kr of the year
    demographic_b: np.ndarray  # (Y,) demographic cost the budget assumed (free revenues), bn
    demographic_lag: np.ndarray  # (Y,) int: years from the demographic costs' price year to t
    free_revenues0: float
    taxes0: float
    revenues0: float
    ndr0: float
    mu: float
    phi: float
    debt_share: float
    surprise_centre: np.ndarray  # (3,) expected value of each surprise (the record's bias)


def price_factors(deflator: np.ndarray, lag: np.ndarray) -> np.ndarray:
    """``prod_{k=t-lag_t+1..t} (1 + deflator_k / 100)`` for every ``t`` (last axis is years)."""
    growth = 1 + np.asarray(deflator, dtype=float) / 100
    out = np.ones_like(growth)
    for t in range(growth.shape[-1]):
        for k in range(t - int(lag[t]) + 1, t + 1):
            out[..., t] *= growth[..., k]
    return out


def accounts_numpy(
    x: EconomyInputs,
    surprises: np.ndarray,
    residual: np.ndarray,
    demographic: np.ndarray,
    demographic_total: np.ndarray,
) -> np.ndarray:
    """Reference implementation, vectorised over draws and scenarios.

    Parameters
    ----------
    x : EconomyInputs
        Plan and base year.
    surprises : ndarray, shape (n, Y, 3)
        Surprise draws in the order of :data:`DRIVERS`.
    residual : ndarray, shape (n, Y)
        Residual shock to the net operating result, percentage points.
    demographic, demographic_total : ndarray, shape (n, S, Y)
        Demographic costs financed by free revenues, and in total, bn kr of their price year.

    Returns
    -------
    ndarray, shape (n, S, Y, 8)
        Outputs in the order of :data:`OUTPUTS`.
    """
    n, n_scen, n_years = demographic.shape
    shape = (n, n_scen)
    out = np.empty((n, n_scen, n_years, len(OUTPUTS)))
    deflators = x.deflator_b[None, :] + surprises[:, :, 0]
    to_year = price_factors(deflators, x.demographic_lag)[:, None, :]  # (n, 1, Y)
    to_year_b = price_factors(x.deflator_b, x.demographic_lag)  # (Y,)
    fi_prev = np.full(shape, x.free_revenues0)
    tax_prev = np.full(shape, x.taxes0)
    rev_prev = np.full(shape, x.revenues0)
    ndr_prev = np.full(shape, x.ndr0)
    fi_plan, tax_plan = x.free_revenues0, x.taxes0
    for t in range(n_years):
        e_d, e_t, i = (np.broadcast_to(surprises[:, t, k][:, None], shape) for k in range(3))
        deflator = x.deflator_b[t] + e_d
        fi_plan = fi_plan * (1 + x.deflator_b[t] / 100) + x.real_growth_plan[t]
        tax_plan = tax_plan * (1 + x.tax_growth_b[t] / 100)
        taxes = tax_plan + e_t
        fi = fi_plan + e_t
        growth = fi - fi_prev * (1 + deflator / 100)
        demo = demographic[:, :, t] * to_year[:, :, t]
        demo_budget_prices = demographic[:, :, t] * to_year_b[t]
        other = (demographic_total[:, :, t] - demographic[:, :, t]) * to_year[:, :, t]
        revenues = rev_prev * (1 + deflator / 100) + growth + other
        c_d, c_t, c_i = x.surprise_centre
        shock = (
            (e_t - c_t)
            - fi_prev * (e_d - c_d) / 100
            - (demo - x.demographic_b[t] * to_year_b[t])
            - x.debt_share * rev_prev * (i - c_i) / 100
        )
        ndr = x.mu + x.phi * (ndr_prev - x.mu) + 100 * shock / revenues + residual[:, t][:, None]
        out[:, :, t, 0] = deflator
        out[:, :, t, 1] = 100 * (taxes / tax_prev - 1)
        out[:, :, t, 2] = growth
        out[:, :, t, 3] = x.real_growth_plan[t] - demo_budget_prices - x.pension[t]
        out[:, :, t, 4] = growth - demo - x.pension[t]
        out[:, :, t, 5] = fi
        out[:, :, t, _NDR] = ndr
        out[:, :, t, 7] = 100 * (fi / fi_prev - 1)
        fi_prev, tax_prev, rev_prev, ndr_prev = fi, taxes, revenues, ndr
    return out


@njit(cache=True, nogil=True)
def _accounts_numba(
    deflator_b: np.ndarray,
    tax_growth_b: np.ndarray,
    real_growth_plan: np.ndarray,
    pension: np.ndarray,
    demographic_b: np.ndarray,
    demographic_lag: np.ndarray,
    free_revenues0: float,
    taxes0: float,
    revenues0: float,
    ndr0: float,
    mu: float,
    phi: float,
    debt_share: float,
    surprise_centre: np.ndarray,
    surprises: np.ndarray,
    residual: np.ndarray,
    demographic: np.ndarray,
    demographic_total: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    n, n_scen, n_years = demographic.shape
    out = np.empty((n, n_scen, n_years, 8))
    to_year_b = np.ones(n_years)
    for t in range(n_years):
        for k in range(t - demographic_lag[t] + 1, t + 1):
            to_year_b[t] *= 1 + deflator_b[k] / 100
    to_year = np.empty(n_years)
    for d in range(n):
        for t in range(n_years):
            to_year[t] = 1.0
            for k in range(t - demographic_lag[t] + 1, t + 1):
                to_year[t] *= 1 + (deflator_b[k] + surprises[d, k, 0]) / 100
        for s in range(n_scen):
            fi_prev, tax_prev, rev_prev, ndr_prev = free_revenues0, taxes0, revenues0, ndr0
            fi_plan, tax_plan = free_revenues0, taxes0
            for t in range(n_years):
                e_d = surprises[d, t, 0]
                e_t = surprises[d, t, 1]
                i = surprises[d, t, 2]
                deflator = deflator_b[t] + e_d
                fi_plan = fi_plan * (1 + deflator_b[t] / 100) + real_growth_plan[t]
                tax_plan = tax_plan * (1 + tax_growth_b[t] / 100)
                taxes = tax_plan + e_t
                fi = fi_plan + e_t
                growth = fi - fi_prev * (1 + deflator / 100)
                demo = demographic[d, s, t] * to_year[t]
                demo_budget_prices = demographic[d, s, t] * to_year_b[t]
                other = (demographic_total[d, s, t] - demographic[d, s, t]) * to_year[t]
                revenues = rev_prev * (1 + deflator / 100) + growth + other
                shock = (
                    (e_t - surprise_centre[1])
                    - fi_prev * (e_d - surprise_centre[0]) / 100
                    - (demo - demographic_b[t] * to_year_b[t])
                    - debt_share * rev_prev * (i - surprise_centre[2]) / 100
                )
                ndr = mu + phi * (ndr_prev - mu) + 100 * shock / revenues + residual[d, t]
                out[d, s, t, 0] = deflator
                out[d, s, t, 1] = 100 * (taxes / tax_prev - 1)
                out[d, s, t, 2] = growth
                out[d, s, t, 3] = real_growth_plan[t] - demo_budget_prices - pension[t]
                out[d, s, t, 4] = growth - demo - pension[t]
                out[d, s, t, 5] = fi
                out[d, s, t, 6] = ndr
                out[d, s, t, 7] = 100 * (fi / fi_prev - 1)
                fi_prev, tax_prev, rev_prev, ndr_prev = fi, taxes, revenues, ndr
    return out


def accounts_numba(
    x: EconomyInputs,
    surprises: np.ndarray,
    residual: np.ndarray,
    demographic: np.ndarray,
    demographic_total: np.ndarray,
) -> np.ndarray:
    """Compiled accounts; same contract as :func:`accounts_numpy`."""
    # field by field rather than unpacking ``x``, so that mypy checks the compiled signature
    return _accounts_numba(
        np.asarray(x.deflator_b, dtype=float),
        np.asarray(x.tax_growth_b, dtype=float),
        np.asarray(x.real_growth_plan, dtype=float),
        np.asarray(x.pension, dtype=float),
        np.asarray(x.demographic_b, dtype=float),
        np.asarray(x.demographic_lag, dtype=np.int64),
        float(x.free_revenues0),
        float(x.taxes0),
        float(x.revenues0),
        float(x.ndr0),
        float(x.mu),
        float(x.phi),
        float(x.debt_share),
        np.asarray(x.surprise_centre, dtype=float),
        np.ascontiguousarray(surprises, dtype=float),
        np.ascontiguousarray(residual, dtype=float),
        np.ascontiguousarray(demographic, dtype=float),
        np.ascontiguousarray(demographic_total, dtype=float),
    )


#: The levels a budget survey may give, in the order of :class:`SurveyConditioning`'s arrays.
SURVEY_GIVEN = ("municipalities", "counties", "sector")


class SurveyConditioning(NamedTuple):
    """What :func:`report_numba` needs to set the survey year to ``budgeted + gap``."""

    year: int  # position of the survey year on the ``Y`` axis
    budgeted: np.ndarray  # (3,) budgeted result per level of SURVEY_GIVEN (0 where not given)
    given: np.ndarray  # (3,) bool: whether the survey gives that level
    gap: np.ndarray  # (n,) the drawn gap, shared by the levels given
    carry: np.ndarray  # (Y,) phi ** (t - year) for t after the survey year (0 elsewhere)


@njit(cache=True, nogil=True)
def _report_numba(
    accounts: np.ndarray,
    delta: np.ndarray,
    keep: np.ndarray,
    w: float,
    j: int,
    budgeted: np.ndarray,
    given: np.ndarray,
    gap: np.ndarray,
    carry: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    n, n_scen = accounts.shape[:2]
    one_delta = delta.shape[1] == 1  # the same difference for every scenario
    for d in range(n):
        for s in range(n_scen):
            sd = 0 if one_delta else s
            sector = shift = diff = 0.0
            if j >= 0:  # the reference's EconomyModel._survey, one draw and scenario at a time
                sector0 = accounts[d, s, j, _NDR]
                d0 = delta[d, sd, j]
                m = budgeted[0] + gap[d] if given[0] else sector0 - w * d0
                c = budgeted[1] + gap[d] if given[1] else sector0 + (1 - w) * d0
                if not given[2]:
                    sector = (1 - w) * m + w * c
                    diff = c - m
                else:
                    sector = budgeted[2] + gap[d]
                    if given[0]:  # the first level given beside the sector's
                        diff = (sector - m) / w
                    elif given[1]:
                        diff = (c - sector) / (1 - w)
                    else:
                        diff = d0
                shift = sector - sector0
            for q in range(keep.size):
                t = keep[q]
                for k in range(8):
                    out[k, d, s, q] = accounts[d, s, t, k]
                ndr = accounts[d, s, t, _NDR]
                gap_t = delta[d, sd, t]
                if j >= 0 and t == j:
                    ndr = sector
                    gap_t = diff
                elif j >= 0 and t > j:
                    ndr = ndr + carry[t] * shift
                out[_NDR, d, s, q] = ndr
                out[8, d, s, q] = ndr - w * gap_t
                out[9, d, s, q] = ndr + (1 - w) * gap_t


def report_numba(
    accounts: np.ndarray,
    delta: np.ndarray,
    keep: np.ndarray,
    county_share: float,
    survey: SurveyConditioning | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The reported years of the accounts and of the two levels' results, in one pass.

    Fuses what :class:`mc.model.economy.EconomyModel` does in NumPy (its reference) after the
    accounts: the budget survey's conditioning, the levels around the sector's result and the
    choice of the reported years. The arithmetic is the reference's, operation by operation, so
    the results are the same to the bit (a test compares them for every combination of levels
    a survey may give).

    Parameters
    ----------
    accounts : ndarray, shape (n, S, Y, 8)
        Output of :func:`accounts_numba` (left unchanged).
    delta : ndarray, shape (n, 1 or S, Y)
        Counties minus municipalities before any conditioning.
    keep : ndarray of int, shape (K,)
        The reported years' positions on the ``Y`` axis.
    county_share : float
        The counties' share of the sector's operating revenues (strictly between 0 and 1 when
        the survey gives the sector's result and a level's).
    survey : SurveyConditioning, optional
        The budget survey's year, levels and drawn gap; none leaves the results as drawn.
    out : ndarray, shape (10, n, S, K), optional
        Where to write (e.g. a slice of draws of a larger output); a new array if not given.

    Returns
    -------
    ndarray, shape (10, n, S, K)
        The outputs of :data:`OUTPUTS` and then the municipalities' and counties' results; each
        ``out[k]`` of a new array is contiguous.
    """
    n, n_scen = accounts.shape[:2]
    keep = np.asarray(keep, dtype=np.int64)
    if out is None:
        out = np.empty((len(OUTPUTS) + 2, n, n_scen, keep.size))
    if survey is None:
        survey = SurveyConditioning(
            -1, np.zeros(3), np.zeros(3, dtype=np.bool_), np.zeros(1), np.zeros(accounts.shape[2])
        )
    _report_numba(
        np.ascontiguousarray(accounts, dtype=float),
        np.ascontiguousarray(delta, dtype=float),
        keep,
        float(county_share),
        int(survey.year),
        np.asarray(survey.budgeted, dtype=float),
        np.asarray(survey.given, dtype=np.bool_),
        np.ascontiguousarray(survey.gap, dtype=float),
        np.asarray(survey.carry, dtype=float),
        out,
    )
    return out

"""The municipal sector's accounts year by year and draw by draw.

Free revenues, real growth, handlingsrom and the net operating result follow from the plan and
the year's surprises.

For year ``t`` (plan values carry a ``b``; outcomes do not):

- deflator ``d = d_b + w * wage_surprise + (1 - w) * price_surprise`` (percent);
- taxes ``T = T_plan * (1 + tax_surprise / 100)`` with ``T_plan = T_plan[t-1] * (1 + g_b / 100)``;
  the surprise ``S = T - T_plan`` is temporary: next year's plan starts from the planned level;
- free revenues ``FI = FI_plan + S`` with ``FI_plan = FI_plan[t-1] * (1 + d_b / 100) + RG_plan``;
- real growth in free revenues ``RG = FI - FI[t-1] * (1 + d / 100)`` (TBU's definition: nominal
  growth deflated with the outcome deflator);
- room for manoeuvre ``handlingsrom = RG - demographic cost (free revenues) - pension``;
- operating revenues ``R = R[t-1] * (1 + d / 100) + RG + demographic cost financed otherwise``;
- net operating result, in percent of ``R``::

      NDR = mu + phi * (NDR[t-1] - mu) + 100 * shock / R + residual
      shock = S - FI[t-1] * (d - d_b) / 100 - (demographic - demographic_b) - D[t-1] * i / 100

  with net debt ``D = debt_share * R`` and ``i`` this year's interest surprise in percentage
  points. ``mu`` and ``phi`` are the sector's long-run level and persistence (AR(1) on 1990-2023);
  the shock is what the year brings that the budget did not plan for, and the residual is the rest
  of the historical year-to-year spread.

Outputs per draw, scenario and year: deflator (%), tax growth (%), real growth in free revenues,
handlingsrom and free revenues (bn kr), net operating result (% of operating revenues), nominal
growth in free revenues (%).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

#: Order of the economic drivers in the ``surprises`` array.
DRIVERS = ("wage_surprise_pp", "price_surprise_pp", "tax_surprise_pct", "interest_surprise_pp")
#: Order of the outputs on the last axis.
OUTPUTS = (
    "deflator_pct",
    "tax_growth_pct",
    "real_growth_free_revenues_bn",
    "handlingsrom_bn",
    "free_revenues_bn",
    "net_operating_result_pct",
    "nominal_growth_free_revenues_pct",
)


class EconomyInputs(NamedTuple):
    """Plan per year (``Y``) and the base year's accounts."""

    deflator_b: np.ndarray  # (Y,) budget deflator, %
    tax_growth_b: np.ndarray  # (Y,) budget tax growth, %
    real_growth_plan: np.ndarray  # (Y,) planned real growth in free revenues, bn
    pension: np.ndarray  # (Y,) real growth in pension costs, bn
    demographic_b: np.ndarray  # (Y,) demographic cost the budget assumed (free revenues), bn
    free_revenues0: float
    taxes0: float
    revenues0: float
    ndr0: float
    mu: float
    phi: float
    debt_share: float
    wage_weight: float


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
    surprises : ndarray, shape (n, Y, 4)
        Driver draws in the order of :data:`DRIVERS`.
    residual : ndarray, shape (n, Y)
        Residual shock to the net operating result, percentage points.
    demographic, demographic_total : ndarray, shape (n, S, Y)
        Demographic costs financed by free revenues, and in total, bn kr.

    Returns
    -------
    ndarray, shape (n, S, Y, 7)
        Outputs in the order of :data:`OUTPUTS`.
    """
    n, n_scen, n_years = demographic.shape
    shape = (n, n_scen)
    out = np.empty((n, n_scen, n_years, len(OUTPUTS)))
    fi_prev = np.full(shape, x.free_revenues0)
    tax_prev = np.full(shape, x.taxes0)
    rev_prev = np.full(shape, x.revenues0)
    ndr_prev = np.full(shape, x.ndr0)
    fi_plan, tax_plan = x.free_revenues0, x.taxes0
    for t in range(n_years):
        w, p, tau, i = (np.broadcast_to(surprises[:, t, k][:, None], shape) for k in range(4))
        deflator = x.deflator_b[t] + x.wage_weight * w + (1 - x.wage_weight) * p
        fi_plan = fi_plan * (1 + x.deflator_b[t] / 100) + x.real_growth_plan[t]
        tax_plan = tax_plan * (1 + x.tax_growth_b[t] / 100)
        taxes = tax_plan * (1 + tau / 100)
        extra_tax = taxes - tax_plan
        fi = fi_plan + extra_tax
        growth = fi - fi_prev * (1 + deflator / 100)
        demo = demographic[:, :, t]
        revenues = rev_prev * (1 + deflator / 100) + growth + (demographic_total[:, :, t] - demo)
        shock = (
            extra_tax
            - fi_prev * (deflator - x.deflator_b[t]) / 100
            - (demo - x.demographic_b[t])
            - x.debt_share * rev_prev * i / 100
        )
        ndr = x.mu + x.phi * (ndr_prev - x.mu) + 100 * shock / revenues + residual[:, t][:, None]
        out[:, :, t, 0] = deflator
        out[:, :, t, 1] = 100 * (taxes / tax_prev - 1)
        out[:, :, t, 2] = growth
        out[:, :, t, 3] = growth - demo - x.pension[t]
        out[:, :, t, 4] = fi
        out[:, :, t, 5] = ndr
        out[:, :, t, 6] = 100 * (fi / fi_prev - 1)
        fi_prev, tax_prev, rev_prev, ndr_prev = fi, taxes, revenues, ndr
    return out


@njit(cache=True, nogil=True)
def _accounts_numba(
    deflator_b: np.ndarray,
    tax_growth_b: np.ndarray,
    real_growth_plan: np.ndarray,
    pension: np.ndarray,
    demographic_b: np.ndarray,
    free_revenues0: float,
    taxes0: float,
    revenues0: float,
    ndr0: float,
    mu: float,
    phi: float,
    debt_share: float,
    wage_weight: float,
    surprises: np.ndarray,
    residual: np.ndarray,
    demographic: np.ndarray,
    demographic_total: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    n, n_scen, n_years = demographic.shape
    out = np.empty((n, n_scen, n_years, 7))
    for d in range(n):
        for s in range(n_scen):
            fi_prev, tax_prev, rev_prev, ndr_prev = free_revenues0, taxes0, revenues0, ndr0
            fi_plan, tax_plan = free_revenues0, taxes0
            for t in range(n_years):
                w = surprises[d, t, 0]
                p = surprises[d, t, 1]
                tau = surprises[d, t, 2]
                i = surprises[d, t, 3]
                deflator = deflator_b[t] + wage_weight * w + (1 - wage_weight) * p
                fi_plan = fi_plan * (1 + deflator_b[t] / 100) + real_growth_plan[t]
                tax_plan = tax_plan * (1 + tax_growth_b[t] / 100)
                taxes = tax_plan * (1 + tau / 100)
                extra_tax = taxes - tax_plan
                fi = fi_plan + extra_tax
                growth = fi - fi_prev * (1 + deflator / 100)
                demo = demographic[d, s, t]
                revenues = (
                    rev_prev * (1 + deflator / 100) + growth + (demographic_total[d, s, t] - demo)
                )
                shock = (
                    extra_tax
                    - fi_prev * (deflator - deflator_b[t]) / 100
                    - (demo - demographic_b[t])
                    - debt_share * rev_prev * i / 100
                )
                ndr = mu + phi * (ndr_prev - mu) + 100 * shock / revenues + residual[d, t]
                out[d, s, t, 0] = deflator
                out[d, s, t, 1] = 100 * (taxes / tax_prev - 1)
                out[d, s, t, 2] = growth
                out[d, s, t, 3] = growth - demo - pension[t]
                out[d, s, t, 4] = fi
                out[d, s, t, 5] = ndr
                out[d, s, t, 6] = 100 * (fi / fi_prev - 1)
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
        float(x.free_revenues0),
        float(x.taxes0),
        float(x.revenues0),
        float(x.ndr0),
        float(x.mu),
        float(x.phi),
        float(x.debt_share),
        float(x.wage_weight),
        np.ascontiguousarray(surprises, dtype=float),
        np.ascontiguousarray(residual, dtype=float),
        np.ascontiguousarray(demographic, dtype=float),
        np.ascontiguousarray(demographic_total, dtype=float),
    )

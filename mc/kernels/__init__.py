"""Array kernels: NumPy references and their numba twins. No I/O, no pandas, no dask here."""

from mc.kernels.demography import (
    KernelInputs,
    latent_width,
    simulate_costs,
    simulate_costs_numba,
    simulate_costs_numpy,
)
from mc.kernels.spreads import SPREAD_CODES

__all__ = [
    "SPREAD_CODES",
    "KernelInputs",
    "latent_width",
    "simulate_costs",
    "simulate_costs_numba",
    "simulate_costs_numpy",
]

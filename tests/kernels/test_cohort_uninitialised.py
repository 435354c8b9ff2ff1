"""The cohort kernel never reads memory it has not written (a NaN there poisoned the births)."""

import numpy as np

import mc.kernels.cohort as cohort
from tests.kernels.test_cohort import inputs


class NanEmpty:
    """``numpy`` as the kernel sees it, except that fresh "empty" arrays hold NaN."""

    def __getattr__(self, name):
        return getattr(np, name)

    @staticmethod
    def empty(*args, **kwargs):
        out = np.empty(*args, **kwargs)
        out.fill(np.nan)
        return out

    @staticmethod
    def empty_like(*args, **kwargs):
        out = np.empty_like(*args, **kwargs)
        out.fill(np.nan)
        return out


def test_births_do_not_read_an_unset_cell(monkeypatch):
    # np.empty may hand back any bytes; the births' exposure once read the newborn cell (with a
    # zero fertility weight) before setting it, and 0 x NaN is NaN. Filling every fresh array
    # with NaN makes that read visible on every run instead of now and then.
    monkeypatch.setattr(cohort, "np", NanEmpty())
    population, _, births, _ = cohort.project_numpy(np.random.default_rng(3), 5, inputs(horizon=2))
    assert np.isfinite(births).all()
    assert np.isfinite(population).all()

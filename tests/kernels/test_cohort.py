"""Cohort-component kernels: the numba twin agrees with the NumPy reference, the books balance."""

import numpy as np
import pytest

from mc.kernels.cohort import CohortInputs, project_numba, project_numpy

A = 106
KERNELS = [project_numpy, project_numba]


def inputs(horizon=3, net=20_000.0, noise=1.0, single_ages=False, deviation_level=0.0):
    """Small synthetic inputs: a flat population, Gompertz-like rates, a bell-shaped profile."""
    ages = np.arange(A)
    start = np.tile(np.where(ages < 100, 30_000.0, 500.0), (2, 1))
    log_mx = np.tile(-9.0 + 0.085 * ages, (2, 1)).clip(max=0.0)
    profile = np.exp(-0.5 * ((ages - 28) / 8.0) ** 2)
    profile = np.tile(profile / (2 * profile.sum()), (2, 1))
    shape = np.where((ages >= 15) & (ages <= 49), 1.0, 0.0)
    shape /= shape.sum()
    rng = np.random.default_rng(7)
    deviations = rng.normal(0.0, 50.0, (4, 2, A)) * noise
    deviations -= deviations.mean(axis=(1, 2), keepdims=True)  # a deviation moves no one in total
    lo = ages if single_ages else np.array([0, 0, 20, 67])
    hi = ages if single_ages else np.array([105, 19, 66, 105])
    return CohortInputs(
        start=start,
        log_mx=log_mx,
        bx=np.full((2, A), 1 / 100) * noise,
        mx_shocks=rng.normal(0.0, 0.05, (3, 2, A)) * noise,
        age_drift=np.full((2, A), -0.005),
        k_drift=np.array([-2.0, -2.0]),
        k_drift_chol=np.eye(2) * noise,
        k_step_chol=np.array([[5.0, 0.0], [1.0, 4.0]]) * noise,
        shape=shape,
        fertility=np.array([1.0, 0.512, np.log(1.6), -0.01, 0.5, 0.1 * noise]),
        tfr_sigma=0.03 * noise,
        mig_beta=np.array([net * 0.3, 0.7]),
        mig_chol=np.array([[2000.0, 0.0], [-0.02, 0.05]]) * noise,
        mig_sigma=np.array([5000.0 * noise, 0.1 * noise, net]),
        mig_pool=np.sort(rng.standard_normal(30)),
        profile=profile,
        deviations=deviations,
        extra=np.zeros(horizon),
        extra_profile=np.zeros((2, A)),
        out_lo=lo,
        out_hi=hi,
        deviation_level=deviation_level,
        # with scaled deviations, scale the shocks with the level too (both options in one run)
        mig_scale=np.array([0.5, 15_000.0]) if deviation_level else np.array([0.0, 1.0]),
        k_noise_chol=np.array([[3.0, 0.0], [0.5, 2.0]]) * noise,
        # each age's own trend error, rising with age as at 90-99 (per year, in log rates)
        drift_se=np.tile(np.linspace(0.002, 0.02, A), (2, 1)) * noise,
        drift_chol=np.array([[1.0, 0.0], [0.6, 0.8]]),
    )


@pytest.mark.parametrize("horizon", [1, 4])
@pytest.mark.parametrize("net", [20_000.0, -900_000.0])  # the second clips many cells
# deviations in persons and constant shocks, or both scaled with the level of migration
@pytest.mark.parametrize("deviation_level", [0.0, 15_000.0])
def test_numba_matches_numpy(horizon, net, deviation_level):
    x = inputs(horizon, net, deviation_level=deviation_level)
    a = project_numpy(np.random.default_rng(3), 50, x)
    b = project_numba(np.random.default_rng(3), 50, x)
    for left, right in zip(a, b, strict=True):
        # same stream, same operations; only the order of floating-point sums differs
        np.testing.assert_allclose(left, right, rtol=1e-10, atol=1e-6)


@pytest.mark.parametrize("kernel", KERNELS)
def test_accounting_is_exact(kernel):
    """Population next year = survivors + surviving births + net migration, to rounding."""
    x = inputs(horizon=1)
    population, migration, births, clipped = kernel(np.random.default_rng(5), 20, x)
    assert (clipped == 0).all()
    # recompute each draw's survivors: the kernel's stream gives K, read it back the same way
    rng = np.random.default_rng(5)
    for d in range(20):
        z = rng.standard_normal(2)
        drift = x.k_drift + x.k_drift_chol @ z
        trend = x.age_drift + (x.drift_chol @ z)[:, None] * x.drift_se  # the path's trend error
        rng.standard_normal(4)  # c, phi, sigma, rho
        k = drift + x.k_step_chol @ rng.standard_normal(2)
        k = k + x.k_noise_chol @ rng.standard_normal(2)  # the year's transient in k
        rng.standard_normal()
        rng.random(2)
        shock = x.mx_shocks[int(rng.random() * x.mx_shocks.shape[0])]
        m = np.exp(x.log_mx + trend + x.bx * k[:, None] + shock)
        survivors = (x.start[:, :104] * np.exp(-0.5 * (m[:, :104] + m[:, 1:105]))).sum()
        survivors += (x.start[:, 104] * np.exp(-0.5 * (m[:, 104] + m[:, 105]))).sum()
        survivors += (x.start[:, 105] * np.exp(-m[:, 105])).sum()
        boys = x.fertility[1]
        newborn = births[d, 0] * (
            (1 - boys) * np.exp(-0.5 * m[0, 0]) + boys * np.exp(-0.5 * m[1, 0])
        )
        expected = survivors + newborn + migration[d, 0]
        assert population[d, 0, 0, 0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("kernel", KERNELS)
def test_no_negative_cells_and_clips_counted(kernel):
    x = inputs(horizon=3, net=-900_000.0, single_ages=True)
    population, _, _, clipped = kernel(np.random.default_rng(9), 30, x)
    assert population.min() >= 0.0
    assert (clipped > 0).all()


@pytest.mark.parametrize("kernel", KERNELS)
def test_quiet_migration_decays_geometrically(kernel):
    """Without noise, N(h) - mu = phi^h (N(0) - mu): a wave returns to the long-run level."""
    x = inputs(horizon=6, net=80_000.0, noise=0.0)
    c, phi = x.mig_beta
    mu = c / (1 - phi)
    _, migration, _, _ = kernel(
        np.random.default_rng(1), 2, x._replace(mig_scale=np.array([1, 9.0]))
    )
    expected = mu + phi ** np.arange(1, 7) * (80_000.0 - mu)
    # the residual picked still multiplies sigma = 0, so the path is exact
    np.testing.assert_allclose(migration[0], expected, rtol=1e-12)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("net", [45_000.0, -15_000.0])
def test_scaled_deviations_grow_with_the_level_of_migration(kernel, net):
    """With ``deviation_level`` L, a past deviation D moves |N| / L * D people, else D."""
    base = inputs(horizon=1, net=net, noise=0.0, single_ages=True)
    one = np.random.default_rng(2).normal(0.0, 10.0, (1, 2, A))  # small: no cell clips
    one -= one.mean()
    # c = 0 and phi = 1 keep this year's net migration at last year's, net
    quiet = base._replace(mig_beta=np.array([0.0, 1.0]), deviations=one)
    without = base._replace(mig_beta=np.array([0.0, 1.0]), deviations=np.zeros((1, 2, A)))
    for level, scale in [(0.0, 1.0), (15_000.0, abs(net) / 15_000.0)]:
        moved = kernel(np.random.default_rng(0), 1, quiet._replace(deviation_level=level))[0]
        still = kernel(np.random.default_rng(0), 1, without._replace(deviation_level=level))[0]
        # ages 1 and up: survivors are the same in both runs, only the deviation differs
        expected = scale * one[0].sum(axis=0)[1:]
        np.testing.assert_allclose(moved[0, 0, 0, 1:] - still[0, 0, 0, 1:], expected, atol=1e-6)


def test_births_do_not_read_age_zero_before_it_is_set(monkeypatch):
    """Fresh arrays full of NaN (what uninitialised memory can hold) must not reach the bands.

    The exposure to births sums the women of next year at every age, age 0 included, before this
    year's newborns are in; 0 x NaN is NaN although the fertility shape is 0 there. Seen once as
    a non-finite block in the numba kernel; the NumPy twin shows it deterministically here.
    """
    monkeypatch.setattr(np, "empty_like", lambda a, *args, **kw: np.full_like(a, np.nan))
    population, _, births, _ = project_numpy(np.random.default_rng(4), 3, inputs(horizon=2))
    assert np.isfinite(population).all() and np.isfinite(births).all()


@pytest.mark.parametrize("kernel", KERNELS)
def test_trend_error_by_age_moves_old_ages_together(kernel):
    """The by-age trend error scales with each age's s.e. and with the horizon, one draw a path.

    Without any other mortality noise, log m at age a in year h is the jump-off plus
    h * (drift + e * se(a)): the ratio of two ages' deviations from the central trend is their
    s.e. ratio, and it is the same in every year (the error is drawn once, not each year).
    """
    quiet = inputs(horizon=3, noise=0.0, single_ages=True)
    x = quiet._replace(drift_se=np.tile(np.where(np.arange(A) >= 90, 0.02, 0.0), (2, 1)))
    # the 1 January population of 91+ next year carries 90+'s mortality this year
    with_error = kernel(np.random.default_rng(4), 200, x)[0][:, 0, :, 91:].sum(axis=-1)
    central = kernel(np.random.default_rng(4), 200, quiet)[0][:, 0, :, 91:].sum(axis=-1)
    spread = (with_error / central).std(axis=0)
    assert spread[0] > 0.002  # a 2 %/yr trend error on rates near 0.5 moves survivors by ~1 %
    assert spread[0] < spread[1] < spread[2]  # and it cumulates with the horizon
    young = kernel(np.random.default_rng(4), 200, x)[0][:, 0, :, 1:90]
    np.testing.assert_array_equal(
        young, kernel(np.random.default_rng(4), 200, quiet)[0][:, 0, :, 1:90]
    )

"""Reproducing TBU is a check: a gap for every published figure, and KS's footnote out of sample."""

import pytest

from mc.calibration import calibrate
from mc.calibration.check import check_from_result, markdown
from tests.conftest import CONFIGS

# the default configuration's unit costs: the blocks public by its as_of (March 2024)
BLOCKS = CONFIGS / "calibration" / "building-blocks-2024-03.yaml"
PUBLISHED = {
    ("tbu-2024-actual", "actual"): (5.2, 4.3),
    ("tbu-2025", "main"): (4.3, 3.6),
    ("tbu-2025", "high"): (5.1, 4.2),
    ("tbu-2025", "low"): (3.6, 2.9),
}


@pytest.fixture(scope="module")
def calibration(data_dir):
    return calibrate(BLOCKS, data_dir)


@pytest.fixture(scope="module")
def check(calibration, data_dir):
    return check_from_result(calibration, BLOCKS, data_dir)


def test_every_published_figure_has_a_gap(check):
    seen = {(f.config, f.scenario, f.measure): f for f in check.figures}
    assert len(seen) == 8
    for (config, scenario), (total, free) in PUBLISHED.items():
        for measure, value in (("total", total), ("free", free)):
            f = seen[(config, scenario, measure)]
            assert f.published == value
            assert f.gap == pytest.approx(f.model - value, abs=1e-12)
            if config == "tbu-2025":  # the two parts add up to the gap
                assert f.baseline_gap + f.extra_gap == pytest.approx(f.gap, abs=1e-12)


def test_tbu_line_is_read_off_its_alternatives(check):
    main = next(f for f in check.figures if f.scenario == "main" and f.measure == "total")
    # 5.1 - 3.6 over 16,000 persons: 0.09375 bn per 1,000
    assert main.tbu_slope_per_1000 == pytest.approx(0.09375, abs=1e-9)
    assert main.tbu_baseline == pytest.approx((4.3 + 5.1 + 3.6) / 3 - 28 * 0.09375, abs=1e-9)


def test_ks_footnote_is_an_out_of_sample_check_of_the_refugee_slope(check):
    ks = check.ks
    assert (ks.extra, ks.published_total_bn, ks.published_free_bn) == (30_000, 2.6, 2.3)
    main = next(f for f in check.figures if f.scenario == "main" and f.measure == "total")
    # the model's 30,000 is its own slope times 30,000 (costs are linear in the extra persons)
    slope = (main.model - main.model_baseline) / main.extra
    assert ks.total_bn == pytest.approx(slope * 30_000, rel=1e-9)
    # a regression bound, not a fit: today's gap is about +0.3 bn (total) and +0.1 (free); a
    # profile or unit-cost change that doubles it should be looked at
    assert abs(ks.total_bn - 2.6) < 0.6
    assert abs(ks.free_bn - 2.3) < 0.4


def test_markdown_names_every_figure_and_the_source(check, calibration):
    text = markdown(check, calibration, "tbu-mc calibrate X --check Y")
    for total, free in PUBLISHED.values():
        assert f"| {total:.1f} |" in text and f"| {free:.1f} |" in text
    assert "lines 644-648" in text
    assert "161.8" in text  # care's 154.8 bn of 2022 in 2023-kroner


def test_shipped_check_page_is_current(check, calibration):
    shipped = (CONFIGS.parent / "docs" / "tbu-check.md").read_text(encoding="utf-8")
    command = (
        "tbu-mc calibrate configs/calibration/building-blocks-2024-03.yaml --data DATA "
        "--out configs/tables --check docs/tbu-check.md"
    )
    assert shipped == markdown(check, calibration, command)


def test_calibrate_command_writes_tables_and_check(tmp_path, data_dir, capsys):
    from mc.cli.main import main

    page = tmp_path / "check.md"
    argv = ["calibrate", str(BLOCKS), "--data", str(data_dir), "--out", str(tmp_path)]
    assert main([*argv, "--check", str(page)]) == 0
    printed = capsys.readouterr().out
    assert "KS footnote, 30,000 extra refugees" in printed and "care" in printed

    def body(path):  # the header names the blocks file as given on the command line
        lines = path.read_text(encoding="utf-8").splitlines()
        return [line for line in lines if not line.startswith("#")]

    # this file names the one table it owns; the baseline and spreads are the 2023 file's
    assert sorted(p.name for p in tmp_path.glob("*.yaml")) == ["unit-costs-2024-03.yaml"]
    name = "unit-costs-2024-03.yaml"
    assert body(tmp_path / name) == body(CONFIGS / "tables" / name)
    assert "## Out of sample: KS's 30,000 extra refugees" in page.read_text(encoding="utf-8")


def test_calibrate_without_out_leaves_the_shipped_tables_alone(tmp_path, data_dir, monkeypatch):
    from mc.cli.main import main

    # a user trying the command from a checkout: the tables land in a folder of their own
    (tmp_path / "configs" / "tables").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert main(["calibrate", str(BLOCKS), "--data", str(data_dir)]) == 0
    assert not any((tmp_path / "configs" / "tables").iterdir())
    assert sorted(p.name for p in (tmp_path / "results" / "calibration").glob("*.yaml")) == [
        "unit-costs-2024-03.yaml"
    ]

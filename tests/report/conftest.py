"""Small runs for the report tests, made once per session through the command line."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

from mc.cli.main import main
from tests.conftest import CONFIGS

# small enough to keep the report tests to seconds; the numbers are not what is tested
SMALL_2025 = ["--sync", "--draws", "4000", "--block-size", "1000", "--seed", "7", "--quiet"]
SMALL_2030 = ["--sync", "--draws", "2000", "--block-size", "500", "--seed", "7", "--quiet"]

#: A sensitivity.csv as the sensitivity module will write it: the output with one driver at its
#: 10th (low) or 90th (high) percentile and the others at their medians (base).
SENSITIVITY_CSV = """variable,scenario,year,driver,low,high,base
demographic_cost_total_bn,main,2025,extra_net_immigration,3.32,5.35,4.33
demographic_cost_total_bn,main,2025,unit_costs,3.90,4.80,4.33
demographic_cost_total_bn,main,2025,births,4.10,4.55,4.33
demographic_cost_total_bn,main,2025,deaths,4.45,4.21,4.33
demographic_cost_total_bn,main,2025,regular_net_immigration,3.60,5.05,4.33
demographic_cost_free_bn,main,2025,extra_net_immigration,2.74,4.40,3.57
demographic_cost_free_bn,main,2025,unit_costs,3.22,3.95,3.57
demographic_cost_free_bn,main,2025,a_driver_without_label,3.50,3.65,3.57
net_operating_result_pct,main,2025,tax_surprise_pct,1.70,3.60,2.64
net_operating_result_pct,main,2025,wage_surprise_pp,3.00,2.30,2.64
demographic_cost_total_bn,high,2025,extra_net_immigration,4.10,6.10,5.10
"""

#: A sensitivity_indices.csv as the sensitivity module writes it; Sobol indices left empty for
#: one variable, as when a run estimated none.
INDICES_CSV = """\
variable,scenario,year,driver,spearman,contribution,s1,s1_low,s1_high,st,st_low,st_high
demographic_cost_total_bn,main,2025,births,0.05,0.01,0.004,-0.002,0.01,0.004,0.003,0.005
demographic_cost_total_bn,main,2025,extra_net_immigration,0.68,0.55,0.54,0.48,0.60,0.50,0.49,0.51
demographic_cost_total_bn,main,2025,unit_costs,0.35,0.14,0.11,0.08,0.15,0.14,0.13,0.15
demographic_cost_total_bn,main,2025,regular_net_immigration,0.54,0.30,0.28,0.23,0.33,0.30,0.29,0.31
demographic_cost_free_bn,main,2025,extra_net_immigration,0.70,0.60,,,,,,
demographic_cost_free_bn,main,2025,unit_costs,0.40,0.40,,,,,,
demographic_cost_total_bn,high,2025,extra_net_immigration,0.70,0.60,0.5,0.4,0.6,0.5,0.4,0.6
"""


class Built(NamedTuple):
    """A run folder with its report written, and the report as built."""

    path: Path
    report: object  # mc.report.build.Report


def _report(folder: Path, **options) -> Built:
    from mc.report.build import build_report, write_files

    report = build_report(folder, **options)
    write_files(folder, report)
    return Built(folder, report)


@pytest.fixture(scope="session")
def run_2025(tmp_path_factory) -> Path:
    """A 4,000-draw run of tbu-2025 (three scenarios, one year, the economy)."""
    out = tmp_path_factory.mktemp("report") / "tbu-2025"
    assert main(["run", str(CONFIGS / "tbu-2025.yaml"), *SMALL_2025, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def report_nb(run_2025, tmp_path_factory) -> Path:
    """``run_2025`` with a Norwegian report in the default bands (no sensitivity analysis)."""
    from mc.report.build import write_report

    out = tmp_path_factory.mktemp("report-nb") / "run"
    shutil.copytree(run_2025, out)
    write_report(out, lang="nb")
    return out


@pytest.fixture(scope="session")
def report_en(run_2025, tmp_path_factory) -> Built:
    """``run_2025`` with sensitivity tables and an English report in the Bank of England bands."""
    out = tmp_path_factory.mktemp("report-en") / "run"
    shutil.copytree(run_2025, out)
    (out / "sensitivity.csv").write_text(SENSITIVITY_CSV)
    (out / "sensitivity_indices.csv").write_text(INDICES_CSV)
    return _report(out, lang="en", bands="boe")


@pytest.fixture(scope="session")
def report_years(data_dir, tmp_path_factory) -> Built:
    """A 2,000-draw run of tbu-2030 (projection, 2025-2030) with an English UN-band report."""
    out = tmp_path_factory.mktemp("report-years") / "tbu-2030"
    assert main(["run", str(CONFIGS / "tbu-2030.yaml"), *SMALL_2030, "--out", str(out)]) == 0
    return _report(out, lang="en", bands="un")

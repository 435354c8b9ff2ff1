"""Without a scheduler flag a run sizes its work: in-process when short, a cluster when long."""

import json
import time

import numpy as np

from mc.cli.main import main
from mc.engine import BlockPlan
from mc.workflow.analysis import IN_PROCESS_SECONDS, choose_scheduler
from tests.conftest import CONFIGS


class Sleepy:
    """A model whose draws cost ``seconds`` each (the timing pilot measures that)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def simulate(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        time.sleep(self.seconds * n)
        return {"x": rng.standard_normal(n)}


def test_short_runs_stay_in_process():
    spec, why = choose_scheduler(Sleepy(1e-5), BlockPlan(10_000, 1_000), 1)  # ~0.1 s of work
    assert spec.kind == "sync" and why.startswith("ran in this process")


def test_long_runs_get_a_local_cluster():
    draws = int(4 * IN_PROCESS_SECONDS / 1e-3)  # 1 ms a draw: four times the threshold
    spec, why = choose_scheduler(Sleepy(1e-3), BlockPlan(draws, draws // 4), 1)
    assert spec.kind == "processes" and "local cluster" in why


def test_slowed_blocks_count_as_work():
    spec, _ = choose_scheduler(Sleepy(0.0), BlockPlan(1_000, 100), 1, slow_blocks=1.0)
    assert spec.kind == "processes"  # ten blocks of at least a second each


def test_the_default_run_says_where_it_ran(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["--draws", "4000", "--block-size", "1000", "--seed", "1", "--quiet"]
    assert main(["run", str(CONFIGS / "tbu-2025.yaml"), *args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    # in the run's language (nb by default); the manifest keeps the English note
    assert "merknad: kjørt i denne prosessen" in printed and "i denne prosessen, blokk" in printed
    notes = json.loads((out / "manifest.json").read_text())["notes"]
    assert any(note.startswith("ran in this process") for note in notes)

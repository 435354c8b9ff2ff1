"""Without a scheduler flag a run sizes its work: in-process when short, a cluster when long."""

import json
import time

import numpy as np
import pytest

from mc.cli.main import main
from mc.engine import BlockPlan
from mc.engine.reduce import PILOT_KEY
from mc.report.labels import note_text
from mc.workflow.analysis import (
    IN_PROCESS_SECONDS,
    choose_scheduler,
    choose_views_scheduler,
    time_work,
)
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
    # one choice for both views, said once (each view said its own before), naming both
    assert printed.count("kjørt i denne prosessen") == 1
    assert "TBUs sentrale bane:" in printed and "Modellens egen prognose:" in printed
    notes = json.loads((out / "manifest.json").read_text())["notes"]
    chosen = [note for note in notes if "ran in this process" in note]
    assert len(chosen) == 1 and chosen[0].startswith("ran in this process, one view after")
    assert "tbu view" in chosen[0] and "model view" in chosen[0]


class Recording(Sleepy):
    """A free model that records the spawn key of every stream it draws from."""

    def __init__(self) -> None:
        super().__init__(0.0)
        self.keys: set[tuple[int, ...]] = set()

    def simulate(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        self.keys.add(tuple(rng.bit_generator.seed_seq.spawn_key))
        return super().simulate(rng, n)


def test_the_timing_draws_from_the_pilot_stream_only():
    model = Recording()
    time_work(model, BlockPlan(10_000, 1_000), 1)
    # never a block's stream: the blocks' draws stay as they are
    assert model.keys == {(PILOT_KEY,)}


def test_two_views_choose_once_from_the_sum_of_their_work():
    under = 0.6 * IN_PROCESS_SECONDS  # each view alone would stay in-process
    spec, why = choose_views_scheduler({"tbu": under, "model": under})
    assert spec.kind == "processes" and why.key == "local_cluster_views"
    assert "tbu view 3.0 s, model view 3.0 s" in why
    spec, why = choose_views_scheduler({"model": 0.1, "tbu": 0.2})
    assert spec.kind == "sync" and why.key == "in_process_views"
    assert why.startswith("ran in this process") and "(model view 0.1 s, tbu view 0.2 s)" in why


@pytest.mark.parametrize("work", [0.2, 8.0])
def test_the_views_choice_is_said_in_norwegian_with_the_views_names(work):
    _, why = choose_views_scheduler({"tbu": work, "model": work})
    said = note_text(why, "nb")
    assert "TBUs sentrale bane: " in said and "Modellens egen prognose: " in said
    assert "tbu view" not in said and " s arbeid" in said
    assert note_text(why, "en") == str(why)  # English as the manifest records it

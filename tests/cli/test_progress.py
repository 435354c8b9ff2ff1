"""The time a run prints is the whole command's; slow phases after the draws show their names."""

from __future__ import annotations

import io
import re
import time

import pytest

from mc.cli import progress
from mc.cli.main import main
from mc.cli.progress import PhaseDisplay
from mc.workflow.phases import phase, reporting
from tests.conftest import CONFIGS

SMALL = ["--sync", "--draws", "4000", "--block-size", "1000", "--seed", "7"]
# a phase that sleeps this long is well past a show_after of SHORT, even on a loaded machine
SHORT, SLEEP = 0.01, 0.3


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run_phases(display: PhaseDisplay, names: list[str], sleep: float) -> None:
    with reporting(display):
        for name in names:
            with phase(name):
                time.sleep(sleep)


def test_a_log_gets_one_line_per_slow_phase_and_nothing_for_quick_ones():
    log = io.StringIO()
    _run_phases(PhaseDisplay("en", log, show_after=SHORT), ["summary", "charts"], SLEEP)
    assert log.getvalue().splitlines() == ["quantiles, ESS and R-hat ...", "drawing the charts ..."]
    log = io.StringIO()
    _run_phases(PhaseDisplay("en", log, show_after=60.0), ["summary"], 0.0)
    assert log.getvalue() == ""


def test_a_terminal_line_is_rewritten_and_ends_with_the_phases_time():
    tty = Terminal()
    _run_phases(PhaseDisplay("nb", tty, show_after=SHORT), ["netcdf"], SLEEP)
    out = tty.getvalue()
    assert out.startswith("\rskriver draws.nc ... ")
    assert re.search(r"\rskriver draws\.nc: \d+\.\d s\x1b\[K\n$", out)


def test_quiet_shows_nothing():
    tty = Terminal()
    _run_phases(PhaseDisplay("en", tty, enabled=False, show_after=0.0), ["summary"], SLEEP)
    assert tty.getvalue() == ""


@pytest.mark.parametrize("quiet", [False, True])
def test_the_printed_time_is_the_whole_command(tmp_path, capsys, monkeypatch, quiet):
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)  # show every phase, however quick
    argv = ["run", str(CONFIGS / "tbu-2025.yaml"), *SMALL, "--lang", "en", "--out", str(tmp_path)]
    start = time.perf_counter()
    assert main(argv + (["--quiet"] if quiet else [])) == 0
    outer = time.perf_counter() - start
    out, err = capsys.readouterr()
    found = re.search(r"; (\d+\.\d) s in all \(draws (\d+\.\d) s\)", out)
    assert found, out
    total, draws = float(found[1]), float(found[2])
    # the whole command: all but the printing of the last lines, to the printed 0.1 s
    assert outer - 0.3 <= total <= outer + 0.05
    assert draws <= total
    shown = [line for line in err.splitlines() if line.endswith(" ...")]
    if quiet:
        assert shown == []
    else:  # stderr is not a terminal here: one line per phase, in order (the second view's run
        # of the default config repeats the analysis phases)
        assert list(dict.fromkeys(shown)) == [
            "gathering the draws ...",
            "quantiles, ESS and R-hat ...",
            "probabilities ...",
            "writing draws.nc ...",
            "drawing the charts ...",
        ]

"""A new user's mistakes, command by command: each ends in one clear line and a known exit code.

A wrong flag or a wrong value on the line is argparse's (its usage, then one ``error:`` line,
exit 2); a wrong file, folder or value found later is tbu-mc's one ``tbu-mc: error:`` line
(exit 2 for the user's error, 1 for the file system's, 130 for Ctrl-C). Never a traceback, never
"unexpected".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mc.cli.main import main
from tests.conftest import CONFIGS

CFG = str(CONFIGS / "tbu-2025.yaml")

# (argv with {placeholders}, exit code, a fragment of the last line)
CASES = [
    # a wrong flag, a wrong value of a flag
    (["run", CFG, "--drawz", "5"], 2, "unrecognized arguments: --drawz"),
    (["run", CFG, "--draws", "-5"], 2, "argument --draws: -5 must be >= 1"),
    (["run", CFG, "--seed", "abc"], 2, "'abc' is not a whole number"),
    (["run", CFG, "--years", "2040-2030"], 2, "'2040-2030' is backwards"),
    (["run", CFG, "--years", "20x0"], 2, "'20x0' is not a year or a range"),
    (["run", CFG, "--confidence", "2", "--out", "{out}"], 2, "'--confidence' = 2.0: must be in"),
    (["run", CFG, "--set", "nonsense", "--out", "{out}"], 2, "expected KEY=VALUE"),
    (["run", CFG, "--lang", "de"], 2, "invalid choice: 'de'"),
    (["report", "{out}", "--min-population", "-5"], 2, "--min-population: -5 must be >= 0"),
    (["report", "{out}", "--bands", "foo"], 2, "'bands' = 'foo': must be a preset"),
    (["history", CFG, "--from", "abc", "--to", "2020", "--out", "{out}"], 2, "invalid int"),
    (["backtest", "economy", "--years", "2040-2030", "--out", "{out}"], 2, "1900 <= Y1 <= Y2"),
    (["data", "fetch", "nope"], 2, "invalid choice: 'nope'"),
    (["data", "check", "{national}", "--tolerance", "5"], 2, "tolerance 5 must be in [0, 1)"),
    (["nosuchcommand"], 2, "invalid choice: 'nosuchcommand'"),
    ([], 2, "the following arguments are required: COMMAND"),
    # a path that is not there, or not writable
    (["run", "{tmp}/missing.yaml"], 2, "missing.yaml': file not found"),
    (["run", CFG, "--deterministic", "--out", "{file}"], 2, "exists and is not a folder"),
    (["run", CFG, "--deterministic", "--out", "{file}/sub"], 1, "is a file, not a folder"),
    # a folder no one may create files in (/proc refuses even root): the message names the file
    # asked for, not the temporary sibling the write starts with
    (["population", "fit", "--data", "{data}", "--origin", "2024", "--out", "/proc/p.json"], 1,
     "no such file or folder: /proc/p.json; check the path"),
    (["report", "{tmp}/missing"], 2, "no such folder"),
    (["data", "check", "{tmp}/missing.csv"], 2, "missing.csv: file not found"),
    (["data", "list", "--cache", "{file}"], 2, "a-file: is a file, not a cache folder"),
    (["calibrate", "{tmp}/missing.yaml", "--data", "{data}"], 2, "file not found"),
    (["backtest", "costs", "--origins", "2020", "--data", "{tmp}/none", "--out", "{out}"], 2,
     "data folder not found"),
    # values that need the data to be wrong
    (["population", "backtest", "--data", "{data}", "--origins", "abc", "--horizon", "2",
      "--out", "{out}"], 2, "'abc' is not a year or a range Y1-Y2"),
    (["population", "backtest", "--data", "{data}", "--origins", "2020", "--horizon", "0",
      "--out", "{out}"], 2, "--horizon: 0 must be >= 1"),
    (["population", "forecast", "--data", "{data}", "--origin", "1900", "--horizon", "2",
      "--out", "{out}"], 2, "year 1900 is not in the data"),
    (["history", CFG, "--population", "{national}", "--from", "2030", "--to", "2020",
      "--out", "{out}"], 2, "--from 2030 is after --to 2020"),
]  # fmt: skip


def _ids(case):
    argv, _, fragment = case
    return " ".join(a for a in argv[:2] if not a.startswith(("/", "{"))) + f": {fragment}"


@pytest.mark.parametrize(("argv", "code", "fragment"), CASES, ids=[_ids(c) for c in CASES])
def test_a_mistake_ends_in_one_clear_line(argv, code, fragment, data_dir, tmp_path, capsys):
    if "/proc/p.json" in argv and not Path("/proc/self").is_dir():
        pytest.skip("no /proc on this system")
    file = tmp_path / "a-file"
    file.write_text("not a folder\n")
    places = {
        "out": str(tmp_path / "out"),
        "tmp": str(tmp_path),
        "file": str(file),
        "data": str(data_dir),
        "national": str(data_dir / "population_norway_by_age_sex.csv"),
    }
    line = [a.format(**places) for a in argv]
    try:
        got = main(line)
        usage = False
    except SystemExit as exc:  # argparse: usage, then one error line
        got, usage = exc.code, True
    err = capsys.readouterr().err
    lines = [x for x in err.splitlines() if x.strip()]
    assert got == code, err
    assert "Traceback" not in err and "unexpected" not in err
    assert lines and lines[-1].startswith("tbu-mc") and "error: " in lines[-1]
    assert fragment in lines[-1]
    if usage:  # what comes before the error line is the usage, nothing else
        assert lines[0].startswith("usage: tbu-mc")
        assert all(x.startswith(("usage:", " ")) for x in lines[:-1])
    else:
        assert len(lines) == 1, err


def test_ctrl_c_while_the_commands_are_loaded_is_one_line(monkeypatch, capsys):
    # the commands' imports (numpy, Dask) are the first few tenths of a second of every command;
    # a Ctrl-C then used to print the traceback of an import
    import mc.cli.main as cli

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    try:
        code = cli.main(["data", "check", "x.csv"])
    except KeyboardInterrupt:  # escaping, it would also end this test session
        pytest.fail("the interrupt escaped main() (a traceback for the user)")
    assert code == 130
    assert capsys.readouterr().err == "tbu-mc: error: interrupted\n"


def test_loading_the_entry_point_imports_no_command():
    # what runs before main() can catch a Ctrl-C: only the light modules
    code = (
        "import sys, mc.cli.main; "
        "print(sorted(m for m in ('numpy', 'dask', 'pandas', 'mc.engine', 'mc.cli.run') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

"""Every subcommand's ``--help`` states its defaults; ``--precision`` without ``--wave`` can stop
before its cap."""

from __future__ import annotations

import argparse
import re

import pytest

from mc.cli.main import build_parser, main
from mc.workflow.options import DEFAULT_CONFIDENCE, MIN_WAVES
from tests.conftest import CONFIGS


def _parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every parser of the command line, found by walking the subcommands (none listed by hand)."""
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _parsers(sub, (*path, name))
    return found


PARSERS = _parsers(build_parser())
COMMANDS = {" ".join(path) or "tbu-mc": parser for path, parser in PARSERS}


def test_the_walk_finds_every_subcommand():
    # a check on the discovery itself: the commands of every module, down to the data steps
    for name in (
        "run",
        "report",
        "history",
        "calibrate",
        "population forecast",
        "population backtest",
        "backtest costs",
        "backtest economy",
        "data check",
    ):
        assert name in COMMANDS


def _entries(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each option's help text as rendered by ``--help``, on one line, by its first option string.

    The invocation (``--level {national,municipality}``) is left out: a choice shown there is not
    a default stated.
    """
    entries: dict[str, str] = {}
    current = None
    for line in parser.format_help().splitlines():
        if re.match(r"^  -", line):
            current = line.split()[0].rstrip(",")
            invocation_and_help = re.split(r"\s{2,}", line.strip(), maxsplit=1)
            entries[current] = invocation_and_help[1] if len(invocation_and_help) > 1 else ""
        elif current and line.startswith("    "):
            entries[current] += " " + line
        else:
            current = None
    return {k: " ".join(v.split()) for k, v in entries.items()}


def _shown(value: object) -> list[str]:
    """Ways a default may be written in a help text (1000 or 1,000; a path as its text)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [str(value), f"{value:,}"]
    if isinstance(value, float) and value.is_integer():
        return [str(value), str(int(value))]
    return [str(value)]


def _has_value(value: object) -> bool:
    """A default worth showing: not None, not False (a switch that is off), not an empty list."""
    return not (value is None or value is False or value is argparse.SUPPRESS or value == [])


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_option_with_a_default_shows_it_in_help(command, monkeypatch):
    monkeypatch.setenv("COLUMNS", "2000")  # one line per entry: no wrapping inside a value
    parser = COMMANDS[command]
    entries = _entries(parser)
    missing = [
        (action.option_strings[0], action.default)
        for action in parser._actions
        if action.option_strings
        and action.help is not argparse.SUPPRESS
        and _has_value(action.default)
        and not any(text in entries[action.option_strings[0]] for text in _shown(action.default))
    ]
    assert missing == []


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_option_with_a_value_says_what_happens_without_it(command, monkeypatch):
    monkeypatch.setenv("COLUMNS", "2000")
    parser = COMMANDS[command]
    entries = _entries(parser)
    missing = [
        action.option_strings[0]
        for action in parser._actions
        if action.option_strings
        and action.nargs != 0  # on/off switches are off unless given
        and not action.required  # nothing happens without a required option
        and action.help is not argparse.SUPPRESS
        and "default" not in entries[action.option_strings[0]]
    ]
    assert missing == []


def test_the_written_out_age_groups_are_the_models():
    from mc.model.projection import BROAD_GROUPS

    entries = _entries(COMMANDS["population forecast"])
    assert f"(default: {','.join(BROAD_GROUPS)})" in entries["--age-groups"]


def test_the_help_numbers_are_the_options_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert f"run.confidence, else {DEFAULT_CONFIDENCE})" in shown
    assert f"for at least {MIN_WAVES} checks)" in shown


def test_the_readmes_precision_example_stops_before_the_cap(tmp_path, capsys):
    # README: --precision mean=0.01 --precision q95=1% on tbu-2025 (run.draws 100,000 in blocks
    # of 25,000). With the old default wave of 4 blocks the rule was checked once, at the cap.
    argv = ["run", str(CONFIGS / "tbu-2025.yaml"), "--precision", "mean=0.01"]
    argv += ["--precision", "q95=1%", "--sync", "--seed", "7", "--quiet", "--lang", "en"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    found = re.search(r"stopped after ([\d,]+) draws: targets met", out)
    assert found, out
    assert int(found[1].replace(",", "")) < 100_000
    assert f"up to {MIN_WAVES} times before the cap of 100,000 (chosen from the cap)" in out

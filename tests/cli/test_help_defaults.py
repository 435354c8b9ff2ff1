"""``--help`` states every default; ``--precision`` without ``--wave`` can stop before its cap."""

from __future__ import annotations

import argparse
import re

import pytest

from mc.cli.main import build_parser, main
from mc.workflow.options import DEFAULT_CONFIDENCE, MIN_WAVES
from tests.conftest import CONFIGS

COMMANDS = ("run", "report")  # the commands of this module's issue (17)


def _subparser(name: str) -> argparse.ArgumentParser:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]
    raise AssertionError("no subcommands")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_with_a_value_states_its_default(command):
    parser = _subparser(command)
    missing = [
        action.option_strings[0]
        for action in parser._actions
        if action.option_strings
        and action.nargs != 0  # on/off switches are off unless given
        and action.help not in (None, argparse.SUPPRESS)
        and "default" not in action.help
    ]
    assert missing == []


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

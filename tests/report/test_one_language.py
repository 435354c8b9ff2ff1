"""One language per output (issue 17): the console and the report speak the run's language.

A Norwegian run and an English one of tbu-2030 (several years, the economy, a Norwegian and an
English description) are scanned, word by word, for common words of the other language. Code
the page quotes (the resolved configuration, the command that reproduces the run) and file
names are not prose and are left out.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from html.parser import HTMLParser

import pytest

from mc.cli.main import main
from mc.engine import SchedulerSpec
from mc.report.labels import scheduler_label
from tests.conftest import CONFIGS

SMALL = ["--sync", "--draws", "2000", "--block-size", "500", "--seed", "7", "--quiet"]
#: English words that have no business in Norwegian prose (and the reverse below); each was
#: seen in a mixed output before this test (e.g. "point", "worker processes", "wrote").
ENGLISH = {
    "the", "and", "of", "point", "mean", "draws", "block", "blocks", "wrote", "note",
    "worker", "processes", "thread", "prices", "each", "costs", "seed", "stopped", "resumed",
    "percentile", "scenario", "description", "sequential", "ran", "process",
}  # fmt: skip
NORWEGIAN = {
    "og", "av", "med", "som", "trekninger", "blokker", "blokk", "merutgifter", "skrev",
    "merknad", "frø", "hvert", "priser", "persentil", "intervall", "tråd", "arbeidsprosesser",
    "prosessen", "kjørt", "beskrivelse", "alternativ", "punkt", "snitt",
}  # fmt: skip


class Prose(HTMLParser):
    """The words a reader sees, outside quoted code (``pre``, ``details``, ``style``)."""

    SKIP = ("pre", "details", "style", "script")

    def __init__(self, page: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1
        for name, value in attrs:
            if name == "alt" and value and not self._skipping:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def words(prose: str) -> set[str]:
    # paths, file names (draws.nc), flags (--draws) and config keys (as_of, economy.plan) are not
    # words of either language
    prose = re.sub(
        r"\S*[/\\]\S*|\S+\.(?:nc|csv|yaml|json|html|md|tex)\b|--\S+|\S*_\S*", " ", prose
    )
    return {w.lower() for w in re.findall(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", prose)}


def _run(tmp, lang: str | None) -> tuple[object, str, str]:
    out = tmp / f"run-{lang}"
    argv = ["run", str(CONFIGS / "tbu-2030.yaml"), *SMALL, "--out", str(out)]
    argv += ["--lang", lang] if lang else []
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(argv) == 0
        assert main(["report", str(out)]) == 0  # no --lang: the run's
    page = (out / "report.html").read_text(encoding="utf-8")
    return out, buffer.getvalue(), page


@pytest.fixture(scope="module")
def runs(tmp_path_factory, data_dir):
    tmp = tmp_path_factory.mktemp("one-language")
    return {"nb": _run(tmp, None), "en": _run(tmp, "en")}


@pytest.mark.parametrize(("lang", "foreign"), [("nb", ENGLISH), ("en", NORWEGIAN)])
def test_the_console_speaks_one_language(runs, lang, foreign):
    _, printed, _ = runs[lang]
    assert words(printed) & foreign == set(), printed


@pytest.mark.parametrize(("lang", "foreign"), [("nb", ENGLISH), ("en", NORWEGIAN)])
def test_the_report_follows_the_runs_language_and_speaks_only_it(runs, lang, foreign):
    _, _, page = runs[lang]
    assert f'<html lang="{lang}"' in page
    prose = " ".join(Prose(page).parts)
    assert words(prose) & foreign == set()


def test_the_report_names_the_description_in_its_language(runs):
    assert "Kommunesektorens økonomi 2025-2030" in " ".join(Prose(runs["nb"][2]).parts)
    assert "The municipal sector's economy 2025-2030" in " ".join(Prose(runs["en"][2]).parts)


def test_an_explicit_lang_overrides_the_runs(runs, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(runs["nb"][0], folder)
    assert main(["report", str(folder), "--lang", "en"]) == 0
    assert '<html lang="en"' in (folder / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "spec",
    [
        SchedulerSpec("sync"),
        SchedulerSpec("threads", workers=3),
        SchedulerSpec("processes", workers=2),
        SchedulerSpec("address", address="tcp://host:8786"),
        SchedulerSpec("slurm", jobqueue=(("processes", 4),), jobs=2),
    ],
    ids=lambda s: s.kind,
)
def test_every_scheduler_the_engine_describes_is_translated(spec):
    # the labels match the engine's English descriptions; a changed description fails here
    described = spec.describe()
    assert scheduler_label(described, "nb") != described
    assert scheduler_label(described, "en") == described


def test_a_run_from_before_the_manifest_kept_its_language_is_read_from_its_command(runs, tmp_path):
    import json

    folder = tmp_path / "old"
    shutil.copytree(runs["en"][0], folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["lang"]  # as written before issue 17; its command still says --lang en
    assert "--lang" in manifest["command"]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["report", str(folder)]) == 0
    assert '<html lang="en"' in (folder / "report.html").read_text(encoding="utf-8")

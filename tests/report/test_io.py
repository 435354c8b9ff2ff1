"""Output folders: ownership decided before writing, user files left alone, one writer at once."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from mc.errors import OutputError
from mc.report.io import LEDGER_FILE, LOCK_FILE, OutputDir, OutputFolder, write_text_atomic
from tests.conftest import ROOT


def names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_complete_or_absent(tmp_path):
    target = tmp_path / "run"
    with pytest.raises(RuntimeError), OutputDir(target) as out:
        out.write_text("summary.csv", "half")
        raise RuntimeError("failed half way")
    assert not target.exists()  # the claim made it, and nothing of it is left
    assert list(tmp_path.iterdir()) == []


def test_replaces_an_earlier_output_only_on_success(tmp_path):
    target = tmp_path / "run"
    with OutputDir(target) as out:
        out.write_json("manifest.json", {"n": 1})
    with pytest.raises(RuntimeError), OutputDir(target) as out:
        out.write_json("manifest.json", {"n": 2})
        raise RuntimeError
    assert '"n": 1' in (target / "manifest.json").read_text()
    with OutputDir(target) as out:
        out.write_json("manifest.json", {"n": 3})
    assert '"n": 3' in (target / "manifest.json").read_text()
    assert names(tmp_path) == ["run"]
    assert names(target) == [LEDGER_FILE, "manifest.json"]  # no staging folder, no lock left


def test_refuses_a_folder_that_is_not_an_output(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(OutputError, match=r"did not write \(thesis.tex\)"):
        OutputDir(tmp_path / "mine")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        OutputDir(tmp_path / "file")
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"
    assert names(tmp_path / "mine") == ["thesis.tex"]


def test_a_manifest_of_another_tool_does_not_make_a_folder_ours(tmp_path):
    (tmp_path / "manifest.json").write_text('{"tool": "something else"}')
    (tmp_path / "data.csv").write_text("a\n1\n")
    with pytest.raises(OutputError, match="did not write"):
        OutputFolder(tmp_path)


def test_user_files_in_a_run_folder_survive_reruns(tmp_path):
    target = tmp_path / "run"
    with OutputDir(target) as out:
        out.write_text("summary.csv", "one")
        out.write_text("sensitivity.csv", "old")
        out.write_json("manifest.json", {"n": 1})
    (target / "notes.md").write_text("mine")
    (target / "sub").mkdir()
    (target / "sub" / "thesis.tex").write_text("mine too")
    with OutputDir(target) as out:  # a rerun without sensitivity analysis
        out.write_text("summary.csv", "two")
        out.write_json("manifest.json", {"n": 2})
    assert (target / "notes.md").read_text() == "mine"
    assert (target / "sub" / "thesis.tex").read_text() == "mine too"
    assert (target / "summary.csv").read_text() == "two"
    assert not (target / "sensitivity.csv").exists()  # tbu-mc's own stale output goes
    ledger = json.loads((target / LEDGER_FILE).read_text())
    assert ledger["files"] == ["manifest.json", "summary.csv"]


def test_a_user_file_named_like_an_output_is_not_removed(tmp_path):
    """Only files the ledger names are tbu-mc's, whatever their names."""
    target = tmp_path / "run"
    with OutputDir(target) as out:
        out.write_json("manifest.json", {"n": 1})
    (target / "report.html").write_text("my own page")
    with OutputDir(target) as out:
        out.write_json("manifest.json", {"n": 2})
    assert (target / "report.html").read_text() == "my own page"


def test_adding_files_keeps_the_run(tmp_path):
    target = tmp_path / "run"
    with OutputDir(target) as out:
        out.write_text("summary.csv", "one")
        out.write_json("manifest.json", {"n": 1})
    with OutputDir(target, replace=False) as out:
        out.write_text("report.html", "<p>")
    assert names(target) == [LEDGER_FILE, "manifest.json", "report.html", "summary.csv"]
    with OutputDir(target) as out:  # a new run drops the stale report with its other outputs
        out.write_json("manifest.json", {"n": 2})
    assert names(target) == [LEDGER_FILE, "manifest.json"]


def test_an_earlier_versions_folder_is_adopted(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"tool": "tbu-mc", "version": "0.9"}))
    (tmp_path / "summary.csv").write_text("old")
    (tmp_path / "thesis.tex").write_text("mine")
    with OutputDir(tmp_path) as out:
        out.write_json("manifest.json", {"n": 2})
    assert names(tmp_path) == [LEDGER_FILE, "manifest.json", "thesis.tex"]


def test_a_damaged_ledger_is_refused(tmp_path):
    (tmp_path / LEDGER_FILE).write_text("{not json")
    (tmp_path / "thesis.tex").write_text("mine")
    with pytest.raises(OutputError, match="is damaged"):
        OutputFolder(tmp_path)


def test_checkpoints_go_once_the_outputs_are_in_place(tmp_path):
    target = tmp_path / "run"
    with OutputFolder(target):
        (target / "checkpoints").mkdir()
        (target / "checkpoints" / "run.json").write_text("{}")
        (target / "checkpoints" / "block-000000.npz").write_bytes(b"x")
        (target / "checkpoints" / "mine.txt").write_text("keep")
        with OutputDir(target, discard_checkpoints=True) as out:
            out.write_json("manifest.json", {})
    assert names(target / "checkpoints") == ["mine.txt"]


def test_the_manifest_is_removed_before_and_written_after_the_other_files(tmp_path, monkeypatch):
    target = tmp_path / "run"
    with OutputDir(target) as out:
        out.write_text("summary.csv", "one")
        out.write_json("manifest.json", {"n": 1})
    real = os.replace

    def fail_on_summary(src, dst):
        if str(dst).endswith("summary.csv"):
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_summary)
    with pytest.raises(OSError), OutputDir(target) as out:
        out.write_text("summary.csv", "two")
        out.write_json("manifest.json", {"n": 2})
    # a folder without a manifest reads as incomplete: never the old manifest over new files
    assert not (target / "manifest.json").exists()
    assert [p.name for p in target.iterdir() if p.name.startswith(".staging")] == []


HOLDER = textwrap.dedent(
    """
    import sys, time
    from mc.report.io import OutputFolder
    with OutputFolder(sys.argv[1]):
        print("held", flush=True)
        time.sleep(60)
    """
)


@pytest.fixture
def held_folder(tmp_path):
    """A folder claimed by another process, which is stopped at the end."""
    target = tmp_path / "run"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(target)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield target, holder.pid
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_a_second_writer_is_refused_naming_the_first(held_folder):
    target, pid = held_folder
    with pytest.raises(OutputError, match=rf"in use by another tbu-mc run \(process {pid} on"):
        with OutputDir(target) as out:
            out.write_json("manifest.json", {})


def test_a_claim_after_a_killed_holder_succeeds(tmp_path):
    target = tmp_path / "run"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(target)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait(timeout=10)
    with OutputDir(target) as out:  # the kernel released the lock with the process
        out.write_json("manifest.json", {})
    assert not (target / LOCK_FILE).exists()


def test_write_text_atomic(tmp_path):
    path = write_text_atomic(tmp_path / "a" / "b.yaml", "x: 1\n")
    assert path.read_text() == "x: 1\n"
    assert [p.name for p in path.parent.iterdir()] == ["b.yaml"]


def test_outputs_get_ordinary_permissions(tmp_path):
    import stat

    mask = os.umask(0o022)
    try:
        with OutputDir(tmp_path / "run") as out:
            out.write_text("a.txt", "x")
        path = write_text_atomic(tmp_path / "b.txt", "y")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "run").stat().st_mode) == 0o755  # not mkdtemp's 0700
    assert stat.S_IMODE((tmp_path / "run" / "a.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # not mkstemp's 0600

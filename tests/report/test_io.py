import pytest

from mc.errors import OutputError
from mc.report.io import OutputDir, write_text_atomic


def test_complete_or_absent(tmp_path):
    target = tmp_path / "run"
    with pytest.raises(RuntimeError), OutputDir(target) as out:
        out.write_text("summary.csv", "half")
        raise RuntimeError("failed half way")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no staging folder left behind


def test_replaces_an_earlier_output_only_on_success(tmp_path):
    target = tmp_path / "run"
    with OutputDir(target) as out:
        out.write_json("manifest.json", {"n": 1})
    with pytest.raises(RuntimeError), OutputDir(target) as out:
        out.write_json("manifest.json", {"n": 2})
        raise RuntimeError
    assert (target / "manifest.json").read_text().strip().endswith("}")
    assert '"n": 1' in (target / "manifest.json").read_text()
    with OutputDir(target) as out:
        out.write_json("manifest.json", {"n": 3})
    assert '"n": 3' in (target / "manifest.json").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_refuses_a_folder_that_is_not_an_output(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(OutputError, match="not a tbu-mc output"):
        OutputDir(tmp_path / "mine")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        OutputDir(tmp_path / "file")


def test_write_text_atomic(tmp_path):
    path = write_text_atomic(tmp_path / "a" / "b.yaml", "x: 1\n")
    assert path.read_text() == "x: 1\n"
    assert [p.name for p in path.parent.iterdir()] == ["b.yaml"]


def test_outputs_get_ordinary_permissions(tmp_path):
    import os
    import stat

    mask = os.umask(0o022)
    try:
        with OutputDir(tmp_path / "run") as out:
            out.write_text("a.txt", "x")
        path = write_text_atomic(tmp_path / "b.txt", "y")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "run").stat().st_mode) == 0o755  # not mkdtemp's 0700
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # not mkstemp's 0600

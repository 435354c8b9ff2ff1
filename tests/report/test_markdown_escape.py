"""tables.md shows labels from a config as text: no raw HTML, no broken rows, no emphasis."""

from __future__ import annotations

import re

import pytest

from mc.cli.main import main
from mc.report import formats
from mc.report.tables import Table
from tests.conftest import CONFIGS

NASTY = '<b onclick="x()">Main</b> & co\nsecond line | *loud* _under_ [link](http://x) `code` \\'


def test_escaped_text_keeps_no_markup():
    out = formats.markdown_escape(NASTY)
    assert "\n" not in out
    assert "<" not in out and ">" not in out and "&amp; co" in out
    # every Markdown special is preceded by a backslash; the text itself is all still there
    assert re.search(r"(?<!\\)[*_`|\[\]]", out.replace("\\\\", "")) is None
    assert re.sub(r"\\(.)", r"\1", out.replace("&lt;", "<").replace("&gt;", ">")).replace(
        "&amp;", "&"
    ) == NASTY.replace("\n", " ")


@pytest.mark.parametrize(
    ("start", "escaped"), [("#", "\\#"), (">", "&gt;"), ("-", "\\-"), ("+", "\\+"), ("=", "\\=")]
)
def test_a_label_cannot_start_a_block(start, escaped):
    assert formats.markdown_escape(f"{start} x") == f"{escaped} x"


def test_table_rows_stay_rows():
    table = Table("t", f"Caption {NASTY}", ("a", NASTY), (("1", NASTY), ("2", "plain")), "lr")
    lines = formats.markdown_table(table).splitlines()
    assert len(lines) == 2 + 2 + len(table.rows)  # heading, blank, header, rule, rows
    assert lines[0].startswith("### Caption &lt;b")
    assert all("<" not in line for line in lines)
    # each row has exactly as many unescaped cell separators as the header
    bars = [len(re.findall(r"(?<!\\)\|", line.replace("\\\\", ""))) for line in lines[2:]]
    assert bars == [3] * (2 + len(table.rows))


def test_config_labels_reach_tables_md_as_text(tmp_path, capsys):
    text = (CONFIGS / "tbu-2025.yaml").read_text(encoding="utf-8")
    label = "label: {nb: Hovedalternativ, en: Main alternative}"
    assert label in text
    text = text.replace(label, 'label: {nb: Hoved, en: "<i>Main</i>\\nalternative | *x*"}')
    text = text.replace(  # in the English description, which the English report shows
        "    Extra demographic costs 2025", "    <script>alert(1)</script> Extra demographic costs"
    )
    text = text.replace(" tables/", f" {CONFIGS}/tables/")  # table paths are relative to the file
    config = tmp_path / "labels.yaml"
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "run"
    args = ["--sync", "--quiet", "--seed", "1", "--draws", "2000", "--block-size", "1000"]
    assert main(["run", str(config), *args, "--out", str(out)]) == 0
    assert main(["report", str(out), "--lang", "en"]) == 0
    markdown = (out / "tables.md").read_text(encoding="utf-8")
    assert "<i>" not in markdown and "<script>" not in markdown
    assert "&lt;i&gt;Main&lt;/i&gt; alternative \\| \\*x\\*" in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Extra demographic costs" in markdown
    # the label's newline did not split a table row: every row line starts and ends with a bar
    for line in markdown.splitlines():
        if "Main" in line and "&lt;i&gt;" in line and not line.startswith("#"):
            assert line.startswith("| ") and line.endswith(" |")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<i>Main</i>" not in html and "<script>alert" not in html

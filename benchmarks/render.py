"""Markdown for the results: tables, number formats, verdicts and the README's results section.

Every benchmark module's ``markdown`` builds its part with these helpers; the driver
(:mod:`benchmarks.__main__`) joins the parts and :func:`update_readme` puts them between the
README's results markers. Files are written through :func:`mc._files.write_atomic`, so a run
stopped half-way never leaves a truncated README or ``latest.json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from mc._files import write_atomic

README = Path(__file__).resolve().parent / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
README_TEMPLATE = f"""# Benchmarks

Run `make bench` (or `python -m benchmarks`); `make bench-quick` runs a smaller version.

{START}
{END}
"""


def row(cells: Sequence[str]) -> str:
    """One markdown table row."""
    return "| " + " | ".join(cells) + " |"


def table(header: Sequence[str], rows: Iterable[Sequence[str]], left: int = 1) -> list[str]:
    """A markdown table whose first ``left`` columns are left-aligned and the rest right-aligned.

    Parameters
    ----------
    header : sequence of str
        Column titles.
    rows : iterable of sequences of str
        Cells, already formatted.
    left : int
        Leading columns of text (names, labels); the others hold numbers.

    Returns
    -------
    list of str
        The table's lines.
    """
    rule = "|" + "|".join("---" if i < left else "--:" for i in range(len(header))) + "|"
    return [row(header), rule, *(row(r) for r in rows)]


def call_cells(t: dict) -> list[str]:
    """Draws per call, best and median seconds of a :func:`benchmarks.timing.throughput` result."""
    return [f"{t['draws']:,}", f"{t['best_seconds']:.4f}", f"{t['median_seconds']:.4f}"]


def rate(x: float) -> str:
    """Draws per second with thousands separators."""
    return f"{x:,.0f}"


def mb(b: float) -> str:
    """Bytes as megabytes (10**6), one decimal."""
    return f"{b / 1e6:,.1f}"


def gb(b: float | None) -> str:
    """Bytes as gigabytes (10**9), two decimals; ``-`` where not measured."""
    return "-" if b is None else f"{b / 1e9:.2f}"


def verdict(met: bool, judged: bool = True) -> str:
    """``MET``, ``NOT MET`` or ``NOT JUDGED``, as the sentences under the tables say it."""
    if not judged:
        return "NOT JUDGED"
    return "MET" if met else "NOT MET"


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically, creating its folder.

    Parameters
    ----------
    path : Path
        The file.
    text : str
        Its new contents.

    Returns
    -------
    Path
        ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, lambda stream: stream.write(text.encode("utf-8")))


def update_readme(section: str, path: Path = README) -> None:
    """Replace the text between the results markers of ``path`` with ``section``.

    A README without the markers gets a ``## Results`` heading and the markers at its end; a
    missing README is started from a short template.

    Parameters
    ----------
    section : str
        The new results section (markdown, without the markers).
    path : Path
        The README.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else README_TEMPLATE
    if START not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n## Results\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    write_text(path, f"{head}{START}\n{section}\n{END}{tail}")

"""One self-contained HTML page: inline CSS, figures as ``data:`` URIs, no scripts, no links out."""

from __future__ import annotations

import base64
import html

# Greys only: the figures carry the colour, and the page reads the same printed.
CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 1160px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 26px; margin: 0 0 6px; }
h3 { font-size: 16px; margin: 22px 0 6px; }
h2 { font-size: 19px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #ccc; }
p.lede { color: #444; margin: 4px 0; }
p.note { color: #555; font-style: italic; }
table { border-collapse: collapse; margin: 8px 0 18px; font-size: 13px;
        font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 4px 0 6px; }
th, td { padding: 3px 9px; border-bottom: 1px solid #e2e2e2; vertical-align: top; }
thead th { border-bottom: 2px solid #555; background: #f4f4f4; }
tbody tr:nth-child(even) { background: #fafafa; }
.num { text-align: right; }
td.num { white-space: nowrap; }
td.txt { min-width: 8em; }
/* the headline tables fit a 1280 px window: their labels wrap, their numbers do not; the
   MCSE table's labels stay on one line and it scrolls instead */
table[id^="table-headline"] td:nth-child(2) { min-width: 11em; }
table[id^="table-headline"] th, table[id^="table-headline"] td { padding: 3px 6px; }
/* a band may break after its dash when many bands (deciles) share the width; a number never
   breaks (its thousands separator is a no-break space, its minus sign sticks to it) */
table[id^="table-headline"] td.num { white-space: normal; }
#table-mcse td:nth-child(2) { white-space: nowrap; }
.txt { text-align: left; }
.scroll { overflow-x: auto; }
figure { margin: 12px 0 22px; }
figure img { max-width: 100%; height: auto; border: 1px solid #e2e2e2; }
figcaption { color: #444; font-size: 13px; margin-top: 4px; }
pre { background: #f4f4f4; padding: 10px 12px; overflow-x: auto; font-size: 12.5px; }
details { margin: 10px 0; }
summary { cursor: pointer; font-weight: 600; }
footer { margin-top: 40px; color: #777; font-size: 12px; }
@media print { main { max-width: none; } .scroll { overflow: visible; } }
""".strip()


def png_data_uri(png: bytes) -> str:
    """A ``data:image/png;base64,...`` URI for embedding a PNG."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def figure(png: bytes, *, id: str, alt: str, caption: str) -> str:
    """A ``<figure>`` with the PNG embedded and a caption."""
    return (
        f'<figure id="{html.escape(id)}">'
        f'<img src="{png_data_uri(png)}" alt="{html.escape(alt)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def section(id: str, heading: str, *parts: str) -> str:
    """A ``<section>`` with a level-2 heading and the given HTML parts."""
    inner = "\n".join(parts)
    return f'<section id="{html.escape(id)}">\n<h2>{html.escape(heading)}</h2>\n{inner}\n</section>'


def subheading(text: str, id: str | None = None) -> str:
    """A level-3 heading."""
    attrs = f' id="{id}"' if id else ""
    return f"<h3{attrs}>{html.escape(text)}</h3>"


def paragraph(text: str, cls: str | None = None, id: str | None = None) -> str:
    """A ``<p>`` holding escaped text."""
    attrs = (f' class="{cls}"' if cls else "") + (f' id="{id}"' if id else "")
    return f"<p{attrs}>{html.escape(text)}</p>"


def preformatted(text: str, id: str | None = None) -> str:
    """A ``<pre><code>`` block holding escaped text."""
    attrs = f' id="{id}"' if id else ""
    return f"<pre{attrs}><code>{html.escape(text)}</code></pre>"


def details(summary: str, inner: str) -> str:
    """A collapsed ``<details>`` block."""
    return f"<details><summary>{html.escape(summary)}</summary>\n{inner}\n</details>"


def scroll(inner: str) -> str:
    """Wrap a wide table so it scrolls sideways instead of widening the page."""
    return f'<div class="scroll">{inner}</div>'


def page(*, lang: str, title: str, header: str, body: str, footer: str) -> str:
    """The whole document.

    Parameters
    ----------
    lang : str
        The ``lang`` attribute (``nb`` or ``en``).
    title : str
        ``<title>`` and ``<h1>``.
    header, body, footer : str
        HTML under the heading, the sections, and the footer's text (escaped here).
    """
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n<main>\n"
        f"<header>\n<h1>{html.escape(title)}</h1>\n{header}\n</header>\n{body}\n"
        f"<footer>{html.escape(footer)}</footer>\n</main>\n</body>\n</html>\n"
    )

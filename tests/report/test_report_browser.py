"""The report page in a real browser: Debian's Chromium, headless.

Chromium renders ``report.html`` from disk twice: once to a screenshot, kept in
``test-artifacts/`` at the repository root, and once to its DOM. The test checks that every
figure is an embedded PNG that decodes, that every table is there with its caption, and that the
screenshot shows the figures' blues (a broken image would show none). Without Chromium the test
skips, except on CI (``CI`` set), where it fails: CI installs Chromium in ``.ci/run``.
"""

import base64
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import matplotlib.image as mpimg
import pytest

from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"
TABLES = (
    "table-headline",
    "table-scenarios",
    "table-exceedance",
    "table-sensitivity",
    "table-precision",
    "table-mcse",
    "table-manifest",
)
# The machine has no network: Chromium must not try to reach one, and runs as root (--no-sandbox).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
TIMEOUT = 60  # seconds per Chromium start; it takes about 2 here

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")  # session: found (or skipped) before the runs are made
def chromium() -> str:
    """Path to Chromium; missing, it fails on CI (which installs it) and skips elsewhere."""
    path = shutil.which("chromium")
    if path is None:
        message = (
            "chromium not found: install Debian's package (apt-get install chromium) to render "
            "the report in a browser"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


class Dom(HTMLParser):
    """Images and captioned tables of a rendered DOM."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.captions: dict[str, str] = {}
        self._table: str | None = None
        self._in_caption = False
        self.feed(source)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        elif tag == "table":
            self._table = attrs.get("id")
            self.captions[self._table] = ""
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False

    def handle_data(self, data):
        if self._in_caption and self._table:
            self.captions[self._table] += data


def run_chromium(chromium: str, profile, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_report_renders_in_chromium(chromium, report_en, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    page = ARTIFACTS / "report.html"
    shutil.copy(report_en.path / "report.html", page)
    shot = ARTIFACTS / "report-screenshot.png"
    shot.unlink(missing_ok=True)
    url = page.resolve().as_uri()

    run_chromium(
        chromium, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1200,3000", url
    )
    dom = Dom(run_chromium(chromium, tmp_path / "profile-dom", "--dump-dom", url).stdout)

    # every figure: an embedded PNG that decodes
    assert len(dom.images) == 3
    for image in dom.images:
        src = image["src"]
        assert src.startswith("data:image/png;base64,"), src[:60]
        png = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1024
        assert image.get("alt")
    # every table, with its caption
    for table in TABLES:
        assert dom.captions.get(table, "").strip(), f"{table} missing from the rendered page"

    # the screenshot: the page's own colours are greys, so blue pixels come from the fan charts
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = mpimg.imread(shot)[..., :3]
    assert pixels.shape[:2] == (3000, 1200)
    assert pixels.std() > 0.05, "the screenshot is blank"
    blue = (pixels[..., 2] - pixels[..., 0] > 0.12) & (pixels[..., 2] > 0.5)
    assert blue.sum() > 20_000, "no fan chart visible in the screenshot"


#: The sections of every report page, in page order (the tornado one holds a note without
#: a sensitivity analysis).
SECTIONS = ("headline", "fans", "tornado", "exceedance", "precision", "reproduce")


def test_a_multi_year_report_renders_every_section(chromium, report_years, tmp_path):
    page = report_years.path / "report.html"
    dom_text = run_chromium(
        chromium, tmp_path / "profile", "--dump-dom", page.resolve().as_uri()
    ).stdout
    dom = Dom(dom_text)
    found = re.findall(r'<section[^>]* id="([^"]+)"', dom_text)
    assert found == list(SECTIONS)
    # a headline table for every year of the run, and the fans over the years
    for year in range(2025, 2031):
        assert str(year) in dom.captions.get(f"table-headline-{year}", "")
    for table in ("table-scenarios", "table-exceedance", "table-precision", "table-manifest"):
        assert dom.captions.get(table, "").strip(), f"{table} missing from the rendered page"
    assert len(dom.images) == 2  # the demographic and the economy fan; no tornado without one


#: Put into a copy of the page only (the report itself has no scripts): after layout, the right
#: edge of every table and the width of the window, as attributes Chromium's DOM dump shows.
MEASURE = """<script>
window.addEventListener("load", () => {
  const edges = [...document.querySelectorAll("table")].map(
    (t) => t.id + ":" + Math.ceil(t.getBoundingClientRect().right));
  document.body.dataset.right = edges.join(" ");
  document.body.dataset.viewport = String(document.documentElement.clientWidth);
});
</script>"""
WIDTH = 1280  # the laptop window of issue 17, where the 90 % and P(> TBU) columns scrolled away


@pytest.mark.parametrize("fixture", ["report_nb", "report_en", "report_years"])
def test_the_headline_tables_fit_a_1280_px_window(chromium, fixture, request, tmp_path):
    built = request.getfixturevalue(fixture)
    folder = getattr(built, "path", built)
    page = tmp_path / "measured.html"
    source = (folder / "report.html").read_text(encoding="utf-8")
    page.write_text(source.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = run_chromium(
        chromium, tmp_path / "profile", f"--window-size={WIDTH},2000", "--dump-dom", page.as_uri()
    ).stdout
    viewport = int(re.search(r'data-viewport="(\d+)"', dom)[1])
    edges = dict(item.rsplit(":", 1) for item in re.search(r'data-right="([^"]*)"', dom)[1].split())
    headlines = {k: int(v) for k, v in edges.items() if k.startswith("table-headline")}
    assert headlines, edges
    assert viewport <= WIDTH
    assert all(right <= viewport for right in headlines.values()), (viewport, headlines)

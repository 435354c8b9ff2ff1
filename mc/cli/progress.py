"""Progress of the work after the draws, on stderr, by phase name.

A phase shorter than :data:`SHOW_AFTER` seconds says nothing. A longer one shows its name and
the seconds it has taken so far on one line that is rewritten in place on a terminal; in a log
(stderr not a terminal) it writes that line once, when the phase passes the threshold, so a log
never gets more than one line per phase.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from mc.report.labels import text

#: Phases quicker than this stay silent: a line that flickers past tells nobody anything.
SHOW_AFTER = 2.0
TICK = 0.5  # seconds between updates of the terminal line


class PhaseDisplay:
    """A reporter for :func:`mc.workflow.phases.reporting` that draws on ``stream``.

    Parameters
    ----------
    lang : {"nb", "en"}
        Language of the phase names.
    stream : file, optional
        Where to write (default ``sys.stderr``).
    enabled : bool
        ``False`` (``--quiet``) writes nothing.
    show_after : float, optional
        Seconds a phase runs before it is shown (default :data:`SHOW_AFTER`).
    before : callable, optional
        Called when the first phase starts, e.g. to close the draws' progress bar so that the
        phases' line does not overwrite it.
    """

    def __init__(
        self,
        lang: str,
        stream: TextIO | None = None,
        *,
        enabled: bool = True,
        show_after: float | None = None,
        before: Callable[[], object] | None = None,
    ) -> None:
        self.lang = lang
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled
        self.show_after = SHOW_AFTER if show_after is None else show_after
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False
        self._before = before

    def label(self, name: str) -> str:
        """The phase's name in the display language (the key itself if it has no label)."""
        try:
            return text(self.lang, f"phase_{name}")
        except KeyError:
            return name

    def __call__(self, name: str, seconds: float | None) -> None:
        """Start (``seconds is None``) or end the display of phase ``name``."""
        if not self.enabled:
            return
        if seconds is None:
            if self._before is not None:
                self._before()
                self._before = None
            self._stop.clear()
            self._shown = False
            if self.show_after <= 0 and not self.tty:  # no wait: the line, now, from here
                self._shown = True
                self.stream.write(f"{self.label(name)} ...\n")
                self.stream.flush()
                return
            start = time.perf_counter()
            self._thread = threading.Thread(
                target=self._watch, args=(self.label(name), start), daemon=True
            )
            self._thread.start()
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._shown and self.tty:  # finish the rewritten line with the phase's time
            self.stream.write(f"\r{self.label(name)}: {seconds:.1f} s\033[K\n")
            self.stream.flush()

    def _watch(self, label: str, start: float) -> None:
        if self._stop.wait(self.show_after):
            return
        self._shown = True
        if not self.tty:
            self.stream.write(f"{label} ...\n")
            self.stream.flush()
            return
        while True:
            self.stream.write(f"\r{label} ... {time.perf_counter() - start:.0f} s\033[K")
            self.stream.flush()
            if self._stop.wait(TICK):
                return

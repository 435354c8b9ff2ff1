"""Named phases of the work after the draws, for a caller that wants to show them.

Computing the summaries of a large run (quantiles, ESS, netCDF, charts) can take longer than
the draws. :func:`phase` marks such a step; a caller that installs a reporter with
:func:`reporting` (the command line does) is told when each one starts and ends. Without a
reporter, a phase costs one context-variable lookup and says nothing, so the Python API stays
silent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: Called with the phase's name when it starts, and with its name and seconds when it ends.
Reporter = Callable[[str, float | None], None]

_REPORTER: ContextVar[Reporter | None] = ContextVar("tbu_mc_phase_reporter", default=None)


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    """Tell ``reporter`` about every :func:`phase` run inside this block (in this context).

    ``reporter(name, None)`` is called when a phase starts and ``reporter(name, seconds)`` when
    it ends, also when it ends with an exception.
    """
    token = _REPORTER.set(reporter)
    try:
        yield
    finally:
        _REPORTER.reset(token)


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Mark the enclosed work as the phase ``name`` (e.g. ``"quantiles and ESS"``).

    Examples
    --------
    >>> seen = []
    >>> with reporting(lambda name, seconds: seen.append((name, seconds is None))):
    ...     with phase("charts"):
    ...         pass
    >>> seen
    [('charts', True), ('charts', False)]
    """
    reporter = _REPORTER.get()
    if reporter is None:
        yield
        return
    start = time.perf_counter()
    reporter(name, None)
    try:
        yield
    finally:
        reporter(name, time.perf_counter() - start)

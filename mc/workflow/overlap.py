"""Two analyses on one Dask client at the same time, so that their blocks end in one tail.

A configuration with two views (:mod:`mc.workflow.views`) used to run them one after the other:
each run ended with its last blocks on one worker while the others waited, and each paid its
own pilot, model scatter and summary with the workers idle. :func:`run_both` runs the side
view's analysis in a client-side thread beside the headline's, on the same client
(``distributed.Client`` is thread-safe for ``submit``, ``scatter``, ``gather`` and ``cancel``),
so the side's blocks fill the workers while the headline's last blocks run and the client's own
work (pilots, summaries) overlaps the workers'.

Results do not change: each block still draws from ``SeedSequence(entropy, spawn_key=(block,))``
and each view merges its blocks in its own fixed tree; only the order in which the workers take
blocks differs. The headline's blocks go first (:data:`HEADLINE_PRIORITY`), so the progress bar,
which counts them, moves as in a single run; the side's blocks fill the gaps and end the run.
The side's thread is silent: it has no progress bar and reports no phases (a thread starts
without the caller's phase reporter), as the side view printed nothing of its own before.
A failure or Ctrl-C in either view cancels the other's futures (and refuses any
it would submit next), waits for its thread to end, and raises the first error as it was.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import CancelledError
from typing import Any

from mc.engine import SchedulerSpec
from mc.engine.schedulers import dask_client

#: How often a waiting thread looks whether it has been cancelled (seconds).
POLL_SECONDS = 0.1
#: How long the headline must have submitted nothing before the side submits its first task.
QUIET_SECONDS = 0.2
#: Added to the Dask priority of everything the headline submits: its blocks (0 in the engine)
#: and merges (1) then go before any of the side's, whichever thread submitted first. The
#: progress bar, which counts the headline's draws, moves from the start as in a single run,
#: and only the side's last blocks can leave a worker idle at the end.
HEADLINE_PRIORITY = 2


class Cancelled(CancelledError):
    """Raised in one analysis when the other failed: its remaining work was cancelled."""


class _Cluster:
    """The client both analyses share; started on first use by the thread that made this.

    A cluster is started only when the headline first needs it (after its checks, model and
    pilot), as in a single run: a run refused before its draws starts none. Starting it in
    the caller's thread keeps Ctrl-C away from the worker processes (see
    :func:`mc.engine.schedulers.dask_client`); the side thread waits for it.
    """

    def __init__(self, client: Any = None, spec: SchedulerSpec | None = None) -> None:
        self._client = client
        self._spec = spec
        self._owner = threading.get_ident()
        self._stack = contextlib.ExitStack()
        self._ready = threading.Event()
        if client is not None:
            self._ready.set()

    @property
    def started(self) -> bool:
        """Whether a client is there to cancel futures on."""
        return self._ready.is_set()

    def get(self, stopped: Callable[[], bool]) -> Any:
        """The client; in another thread, wait for the owner to start it (or a cancel)."""
        if self._ready.is_set():
            return self._client
        if threading.get_ident() == self._owner:
            self.start()
            return self._client
        while not self._ready.wait(POLL_SECONDS):
            if stopped():
                raise Cancelled("the other view's run failed before the cluster started")
        return self._client

    def start(self) -> None:
        """Start the cluster (in the owner's thread) if it is not running yet."""
        if self._ready.is_set() or self._spec is None:
            return
        self._client = self._stack.enter_context(dask_client(self._spec))
        self._ready.set()

    def close(self) -> None:
        """Close a cluster this object started (a caller's client stays open)."""
        self._stack.close()


class _Submissions:
    """When the headline last submitted a task: the side's first submit waits for a pause."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.last = 0.0

    def mark(self) -> None:
        """Record a submission now."""
        self.last = time.monotonic()
        self.started.set()

    def quiet(self) -> float:
        """Seconds since the last submission."""
        return time.monotonic() - self.last


class _Tracked:
    """One analysis's handle on the shared client: its futures can be cancelled from outside.

    The futures are held weakly, so a block the merge tree has released is not kept alive on
    the workers. After :meth:`cancel_all`, a new submit or scatter raises :class:`Cancelled`.
    """

    def __init__(
        self,
        cluster: _Cluster,
        priority: int = 0,
        *,
        signals: _Submissions | None = None,
        after: _Submissions | None = None,
        touched: threading.Event | None = None,
    ) -> None:
        self._cluster = cluster
        self._priority = priority
        self._signals, self._after, self._touched = signals, after, touched
        self._futures: weakref.WeakSet[Any] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._waited = after is None
        self.stopped = False

    def _client(self) -> Any:
        if self.stopped:
            raise Cancelled("the other view's run failed; this view's work was cancelled")
        if self._touched is not None:
            self._touched.set()
        return self._cluster.get(lambda: self.stopped)

    def submit(self, *args: Any, **kwargs: Any) -> Any:
        client = self._client()
        if not self._waited and self._after is not None:
            # the first few tasks of a kind bypass the scheduler's priority queue (Dask sends
            # them straight to a worker): the side lets the headline's blocks in first. The
            # headline submits a wave of blocks and merges in one loop, so the side waits until
            # that loop has paused for QUIET_SECONDS; a fixed wait after the headline's first
            # submit was sometimes too short on a loaded machine (order only: the results never
            # depend on it)
            while not self._after.started.wait(POLL_SECONDS):
                if self.stopped:
                    break
            while not self.stopped and (quiet := self._after.quiet()) < QUIET_SECONDS:
                time.sleep(QUIET_SECONDS - quiet)
            self._waited = True
        with self._lock:  # a cancel either sees this future or refuses it
            if self.stopped:
                raise Cancelled("the other view's run failed; this view's work was cancelled")
            priority = kwargs.pop("priority", 0) + self._priority
            future = client.submit(*args, priority=priority, **kwargs)
            self._futures.add(future)
        if self._signals is not None:
            self._signals.mark()
        return future

    def scatter(self, *args: Any, **kwargs: Any) -> Any:
        client = self._client()
        with self._lock:
            if self.stopped:
                raise Cancelled("the other view's run failed; this view's work was cancelled")
            held = client.scatter(*args, **kwargs)
            for future in held if isinstance(held, list) else [held]:
                self._futures.add(future)
        return held

    def cancel(self, futures: Any, *args: Any, **kwargs: Any) -> Any:
        """The engine's own cancel (on its failure); works after :meth:`cancel_all` too."""
        if not self._cluster.started:
            return None
        return self._cluster.get(lambda: True).cancel(futures, *args, **kwargs)

    def cancel_all(self) -> None:
        """Cancel every future this analysis holds and refuse new ones."""
        with self._lock:
            self.stopped = True
            futures = list(self._futures)
        if futures and self._cluster.started:
            with contextlib.suppress(Exception):  # a closing client: nothing left to cancel
                self._cluster.get(lambda: True).cancel(futures)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client(), name)


def _join(thread: threading.Thread) -> None:
    # a join with a timeout, so that Ctrl-C reaches this (the main) thread while it waits
    while thread.is_alive():
        thread.join(POLL_SECONDS)


def run_both[A, B](
    main: Callable[[Any], A],
    side: Callable[[Any], B],
    *,
    client: Any = None,
    spec: SchedulerSpec | None = None,
) -> tuple[A, B]:
    """Run ``main(client)`` here and ``side(client)`` in a thread, on one Dask client.

    Parameters
    ----------
    main, side : callable
        Each takes the client to run on (a handle on the shared one) and returns its analysis.
        ``main`` runs in this thread, so Ctrl-C interrupts it as it would a single run.
    client : distributed.Client, optional
        The caller's client; left open.
    spec : SchedulerSpec, optional
        Without ``client``: the cluster to start on first use and close at the end.

    Returns
    -------
    tuple
        ``main``'s and ``side``'s results.

    Raises
    ------
    BaseException
        The first failure of either (``main``'s if both fail on their own), after the other's
        work was cancelled and its thread has ended.
    """
    if client is None and spec is None:
        raise ValueError("run_both needs a client or a scheduler spec")
    cluster = _Cluster(client, spec)
    headline_submitted, headline_drawing = _Submissions(), threading.Event()
    main_client = _Tracked(
        cluster, HEADLINE_PRIORITY, signals=headline_submitted, touched=headline_drawing
    )
    side_client = _Tracked(cluster, after=headline_submitted)
    outcome: dict[str, Any] = {}
    side_first = threading.Event()

    def run_side() -> None:
        try:
            # the side's model and pilot wait until the headline needs the client (its checks,
            # model and pilot done): the two threads would share one interpreter lock, and the
            # headline's first blocks would start later; from then on the side's client work
            # overlaps the headline's blocks (or the start of the cluster)
            while not headline_drawing.wait(POLL_SECONDS):
                if side_client.stopped:
                    raise Cancelled("the headline's run failed before it drew")
            outcome["value"] = side(side_client)
        except BaseException as exc:
            outcome["error"] = exc
            if not side_client.stopped:  # failed on its own: stop the headline as well
                side_first.set()
                main_client.cancel_all()

    thread = threading.Thread(target=run_side, name="tbu-mc side view", daemon=True)
    try:
        thread.start()
        try:
            first = main(main_client)
            cluster.start()  # the side may still be waiting for it (a headline never drawing)
            headline_drawing.set()
            headline_submitted.started.set()
            _join(thread)
        except BaseException:
            side_client.cancel_all()
            headline_submitted.started.set()
            _join(thread)
            if side_first.is_set():  # the headline failed only because the side did
                raise outcome["error"] from None
            raise
        if "error" in outcome:
            raise outcome["error"]
    finally:
        cluster.close()
    second: B = outcome["value"]
    return first, second

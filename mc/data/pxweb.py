"""SSB's PxWebApi (v0): table metadata by GET, data by POSTing a JSON query, JSON-stat2 back.

What SSB asks of clients (API guide, https://www.ssb.no/api/api-mot-statistikkbanken--brukerveiledning):
at most 800,000 data cells per extraction and 30 queries per 60 seconds per IP address. A query
that selects too many cells is refused with HTTP 403, too many queries with HTTP 429. This module
therefore splits a selection into queries below the cell limit, keeps at least two seconds between
queries, and retries 429 and 5xx answers with exponential back-off (or SSB's ``Retry-After``).

The network sits behind a :class:`Transport`, a callable ``(method, url, body) -> Response``, so
tests pass a fake one and never reach data.ssb.no.
"""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mc._version import __version__
from mc.errors import DataError

API_BASE = "https://data.ssb.no/api/v0/no/table"
MAX_CELLS = 800_000  # SSB's limit per extraction (API guide)
MIN_INTERVAL = 60.0 / 30  # seconds between queries: SSB allows 30 per 60 s per IP address
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
HOST = "data.ssb.no"
OFFLINE_HINT = (
    "use files instead: point the configuration (population.file) or --population at a CSV or "
    "Parquet file in the tidy layout (year, [municipality,] age, sex, population), or copy a "
    "tbu-mc cache folder fetched on a machine that is online and set TBU_MC_CACHE to it"
)


@dataclass(frozen=True)
class Response:
    """An HTTP answer: status code, body bytes and headers."""

    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class Transport(Protocol):
    """Sends one HTTP request.

    Returns the answer for any HTTP status; raises :class:`OSError` (``urllib.error.URLError``,
    ``TimeoutError``, ...) when no answer arrives at all.
    """

    def __call__(self, method: str, url: str, body: bytes | None) -> Response:
        """Send ``body`` (``None`` for GET) to ``url`` and return the answer."""
        ...


class UrllibTransport:
    """The real transport, on the standard library's :mod:`urllib`.

    Parameters
    ----------
    timeout : float
        Seconds to wait for an answer.
    """

    def __init__(self, timeout: float = 120.0) -> None:
        self.timeout = timeout

    def __call__(self, method: str, url: str, body: bytes | None) -> Response:
        """Send the request; HTTP errors come back as a :class:`Response`."""
        headers = {"Accept": "application/json", "User-Agent": f"tbu-mc/{__version__}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                return Response(reply.status, reply.read(), dict(reply.headers.items()))
        except urllib.error.HTTPError as exc:  # an answer, only not a 2xx one
            return Response(exc.code, exc.read() or b"", dict((exc.headers or {}).items()))


def default_transport() -> Transport:
    """The transport used when none is given (tests replace this function)."""
    return UrllibTransport()


@dataclass(frozen=True)
class Variable:
    """One variable of a table, from its metadata.

    ``time`` marks the time variable; ``elimination`` says the variable may be left out of a query.
    """

    code: str
    text: str
    values: tuple[str, ...]
    texts: tuple[str, ...]
    time: bool = False
    elimination: bool = False

    def text_of(self, code: str) -> str:
        """The label of a value code (the code itself if unknown)."""
        try:
            return self.texts[self.values.index(code)]
        except (ValueError, IndexError):
            return code


@dataclass(frozen=True)
class TableMetadata:
    """A table's title and variables, as ``GET {API_BASE}/{table}`` returns them."""

    table: str
    title: str
    variables: tuple[Variable, ...]

    def variable(self, code: str) -> Variable | None:
        """The variable with this code, or ``None``."""
        return next((v for v in self.variables if v.code == code), None)

    @property
    def time(self) -> Variable:
        """The time variable (``time: true``, else the one called ``Tid``)."""
        found = next((v for v in self.variables if v.time), None) or self.variable("Tid")
        if found is None:
            raise DataError(f"SSB table {self.table}", "the table has no time variable")
        return found

    @classmethod
    def from_json(cls, table: str, data: Mapping[str, Any]) -> TableMetadata:
        """Parse the metadata document (``title`` and ``variables``)."""
        source = f"metadata of SSB table {table}"
        if not isinstance(data, Mapping) or not isinstance(data.get("variables"), list):
            raise DataError(source, "expected an object with a 'variables' list")
        variables = []
        for raw in data["variables"]:
            try:
                values = tuple(str(v) for v in raw["values"])
                texts = tuple(str(t) for t in raw.get("valueTexts", values))
                variables.append(
                    Variable(
                        code=str(raw["code"]),
                        text=str(raw.get("text", raw["code"])),
                        values=values,
                        texts=texts,
                        time=bool(raw.get("time", False)),
                        elimination=bool(raw.get("elimination", False)),
                    )
                )
            except (KeyError, TypeError) as exc:
                raise DataError(source, f"variable entry {raw!r} lacks {exc}") from None
        return cls(table, str(data.get("title", table)), tuple(variables))


Selection = Mapping[str, Sequence[str]]


def cells(selection: Selection) -> int:
    """Number of data cells a selection asks for."""
    return math.prod(len(values) for values in selection.values())


def split_selection(
    selection: Selection,
    max_cells: int = MAX_CELLS,
    order: Sequence[str] = ("Tid", "Region"),
    source: str = "query",
) -> list[dict[str, list[str]]]:
    """Cut a selection into parts of at most ``max_cells`` cells.

    The variables in ``order`` are cut in turn: first into runs of values (as many years per
    query as fit), and if one value alone is still too big, value by value and on to the next
    variable. The parts together select exactly the original cells.

    Raises
    ------
    DataError
        If even one value of every variable in ``order`` exceeds the limit.

    Examples
    --------
    >>> parts = split_selection({"Tid": ["2023", "2024"], "Alder": ["0", "1", "2"]}, 4)
    >>> [p["Tid"] for p in parts]
    [['2023'], ['2024']]
    """
    whole = {code: list(values) for code, values in selection.items()}
    total = cells(whole)
    if total <= max_cells:
        return [whole]
    for position, code in enumerate(order):
        values = whole.get(code)
        if not values or len(values) == 1:
            continue
        per_value = total // len(values)
        if per_value <= max_cells:
            step = max_cells // per_value
            return [{**whole, code: values[i : i + step]} for i in range(0, len(values), step)]
        parts: list[dict[str, list[str]]] = []
        for value in values:
            parts.extend(
                split_selection({**whole, code: [value]}, max_cells, order[position + 1 :], source)
            )
        return parts
    raise DataError(
        source,
        f"the query selects {total:,} cells, more than SSB's limit of {max_cells:,} per query, "
        f"even one value at a time of {list(order)}; select fewer values",
    )


def query_body(selection: Selection) -> dict[str, Any]:
    """The v0 POST body: every variable with ``filter: item``, answer as JSON-stat2."""
    return {
        "query": [
            {"code": code, "selection": {"filter": "item", "values": list(values)}}
            for code, values in selection.items()
        ],
        "response": {"format": "json-stat2"},
    }


def _transient(exc: OSError) -> bool:
    """A time-out or a dropped connection may pass; a failed name lookup means offline."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return isinstance(reason, (TimeoutError, ConnectionResetError))


class PxWebClient:
    """Queries SSB's PxWebApi politely: split, throttled, retried.

    Parameters
    ----------
    transport : Transport, optional
        Sends the requests (default: :func:`default_transport`).
    base : str
        The API's table endpoint.
    max_cells : int
        Cells per query at most.
    retries : int
        Further attempts after a 429, a 5xx, a time-out or a dropped connection.
    backoff : float
        First wait in seconds; it doubles with each attempt (``Retry-After`` wins when SSB sends
        one), capped at ``max_wait``.
    max_wait : float
        Longest single wait in seconds.
    min_interval : float
        Seconds between the starts of two requests.
    sleep, clock : callable
        ``time.sleep`` and ``time.monotonic`` unless a test passes fakes.
    """

    def __init__(
        self,
        transport: Transport | None = None,
        *,
        base: str = API_BASE,
        max_cells: int = MAX_CELLS,
        retries: int = 5,
        backoff: float = 2.0,
        max_wait: float = 120.0,
        min_interval: float = MIN_INTERVAL,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.transport = transport if transport is not None else default_transport()
        self.base = base.rstrip("/")
        self.max_cells = max_cells
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.min_interval = min_interval
        self.sleep = sleep
        self.clock = clock
        self.requests = 0
        self._last: float | None = None

    def url(self, table: str) -> str:
        """The endpoint of one table."""
        return f"{self.base}/{table}"

    def metadata(self, table: str) -> TableMetadata:
        """The table's variables and their values (GET)."""
        return TableMetadata.from_json(table, self._json("GET", self.url(table), None))

    def query(
        self, table: str, selection: Selection, order: Sequence[str] = ("Tid", "Region")
    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """POST the selection, split below the cell limit.

        Returns
        -------
        list of (query body, JSON-stat2 document)
            One pair per query sent, in order.
        """
        url = self.url(table)
        answers = []
        for part in split_selection(selection, self.max_cells, order, f"SSB table {table}"):
            body = query_body(part)
            answers.append((body, self._json("POST", url, json.dumps(body).encode())))
        return answers

    def _json(self, method: str, url: str, body: bytes | None) -> dict[str, Any]:
        reply = self._send(method, url, body)
        try:
            return json.loads(reply.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(url, f"SSB's answer is not JSON ({exc})") from None

    def _throttle(self) -> None:
        if self._last is not None:
            wait = self._last + self.min_interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()

    def _wait(self, attempt: int, reply: Response | None) -> float:
        retry_after = (reply.headers.get("Retry-After") if reply is not None else None) or ""
        try:
            wait = float(retry_after)
        except ValueError:
            wait = self.backoff * 2**attempt
        return min(max(wait, 0.0), self.max_wait)

    def _send(self, method: str, url: str, body: bytes | None) -> Response:
        for attempt in range(self.retries + 1):
            self._throttle()
            self.requests += 1
            try:
                reply = self.transport(method, url, body)
            except OSError as exc:
                if _transient(exc) and attempt < self.retries:
                    self.sleep(self._wait(attempt, None))
                    continue
                raise DataError(
                    url, f"could not reach {HOST} (offline?): {exc}; {OFFLINE_HINT}"
                ) from exc
            if 200 <= reply.status < 300:
                return reply
            if reply.status in RETRY_STATUSES and attempt < self.retries:
                self.sleep(self._wait(attempt, reply))
                continue
            raise DataError(url, _refusal(reply, attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover


def _refusal(reply: Response, attempts: int) -> str:
    """Why SSB said no, in words."""
    text = reply.body.decode("utf-8", "replace").strip()[:300]
    said = f" (SSB said: {text})" if text else ""
    if reply.status == 429:
        return (
            f"SSB answered HTTP 429 Too Many Requests {attempts} times{said}; SSB allows 30 "
            "queries per minute per IP address (colleagues behind the same address count too): "
            "wait a minute and fetch again"
        )
    if reply.status >= 500:
        return f"SSB answered HTTP {reply.status} {attempts} times{said}; try again later"
    if reply.status == 403:
        return f"SSB refused the query as too large (HTTP 403){said}; select fewer values"
    if reply.status == 404:
        return f"no such table at SSB (HTTP 404){said}"
    return f"SSB rejected the query (HTTP {reply.status}){said}"

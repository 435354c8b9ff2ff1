import io
import json
import math
import urllib.error
import urllib.request
from email.message import Message

import pytest
from ssb_fake import FakeSsb, load_fixture, offline_error

from mc.data import pxweb
from mc.data.pxweb import (
    MAX_CELLS,
    PxWebClient,
    Response,
    UrllibTransport,
    cells,
    query_body,
    split_selection,
)
from mc.errors import DataError

SELECTION = {
    "Region": ["0301", "4204"],
    "Kjonn": ["1", "2"],
    "Alder": ["000", "001", "105+"],
    "ContentsCode": ["Personer1"],
    "Tid": ["2023", "2024"],
}


def test_v0_query_body_is_what_ssb_expects():
    body = query_body({"Region": ["0"], "Tid": ["2024"]})
    assert body == {
        "query": [
            {"code": "Region", "selection": {"filter": "item", "values": ["0"]}},
            {"code": "Tid", "selection": {"filter": "item", "values": ["2024"]}},
        ],
        "response": {"format": "json-stat2"},
    }


def test_small_selection_is_one_query():
    assert split_selection(SELECTION) == [SELECTION]
    assert MAX_CELLS == 800_000  # SSB's documented limit per extraction


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (24, 1),  # fits
        (12, 2),  # one year per query
        (6, 4),  # one year and one region per query
    ],
)
def test_split_keeps_every_cell_once_under_the_limit(limit, expected):
    parts = split_selection(SELECTION, limit)
    assert len(parts) == expected
    assert all(cells(p) <= limit for p in parts)
    covered = sorted(
        (r, t) for p in parts for r in p["Region"] for t in p["Tid"]
    )  # every (region, year) exactly once, other variables whole
    assert covered == sorted((r, t) for r in SELECTION["Region"] for t in SELECTION["Tid"])
    assert all(p["Alder"] == SELECTION["Alder"] for p in parts)


def test_split_packs_several_years_when_they_fit():
    years = [str(y) for y in range(1986, 2025)]
    selection = {"Region": ["0"], "Alder": ["0"] * 106, "Kjonn": ["1", "2"], "Tid": years}
    parts = split_selection(selection, 212 * 10)  # ten years per query
    assert [len(p["Tid"]) for p in parts] == [10, 10, 10, 9]


def test_unsplittable_selection_is_an_error():
    with pytest.raises(DataError, match="more than SSB's limit of 5 per query"):
        split_selection(SELECTION, 5)


def test_fetch_splits_below_the_cell_limit(tiny_ssb, make_client):
    client = make_client(tiny_ssb, max_cells=12)
    answers = client.query("07459", SELECTION)
    assert len(answers) == 2 == len(tiny_ssb.posts)
    assert [b["query"][-1]["selection"]["values"] for b, _ in answers] == [["2023"], ["2024"]]
    assert all(math.prod(doc["size"]) <= 12 for _, doc in answers)


def test_metadata_is_parsed(tiny_ssb, make_client):
    meta = make_client(tiny_ssb).metadata("07459")
    assert meta.time.code == "Tid" and meta.time.values == ("2023", "2024")
    assert meta.variable("Kjonn").text_of("2") == "Kvinner"
    assert meta.variable("Region").elimination
    assert tiny_ssb.calls[0][:2] == ("GET", "https://data.ssb.no/api/v0/no/table/07459")


def test_retries_429_and_5xx_with_backoff(tiny_ssb, make_client, clock):
    tiny_ssb.script = [429, 503, 502]
    client = make_client(tiny_ssb, backoff=2.0, min_interval=0)
    meta = client.metadata("07459")
    assert meta.table == "07459"
    assert clock.sleeps == [2.0, 4.0, 8.0]  # doubling
    assert client.requests == 4


def test_retry_after_header_wins(tiny_ssb, make_client, clock):
    tiny_ssb.script = [429]
    tiny_ssb.headers = {"Retry-After": "30"}
    make_client(tiny_ssb, min_interval=0).metadata("07459")
    assert clock.sleeps == [30.0]


def test_gives_up_after_the_retries(tiny_ssb, make_client, clock):
    tiny_ssb.script = [429] * 10
    with pytest.raises(DataError, match="HTTP 429 Too Many Requests 3 times") as info:
        make_client(tiny_ssb, retries=2, min_interval=0).metadata("07459")
    assert "30 queries per minute" in str(info.value)
    assert len(tiny_ssb.calls) == 3 and clock.sleeps == [2.0, 4.0]


def test_waits_are_capped(tiny_ssb, make_client, clock):
    tiny_ssb.script = [503] * 3
    make_client(tiny_ssb, backoff=50, max_wait=60, min_interval=0).metadata("07459")
    assert clock.sleeps == [50.0, 60.0, 60.0]


def test_queries_are_spaced_for_ssbs_rate_limit(tiny_ssb, make_client, clock):
    client = make_client(tiny_ssb, max_cells=6)  # four queries
    client.query("07459", SELECTION)
    assert clock.sleeps == [2.0, 2.0, 2.0]  # 30 queries per 60 s
    assert pxweb.MIN_INTERVAL == 2.0


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (403, "refused the query as too large"),
        (400, "rejected the query \\(HTTP 400\\)"),
        (404, "no such table"),
    ],
)
def test_client_errors_are_not_retried(tiny_ssb, make_client, status, message):
    tiny_ssb.script = [status]
    with pytest.raises(DataError, match=message):
        make_client(tiny_ssb).metadata("07459")
    assert len(tiny_ssb.calls) == 1


def test_too_large_query_refused_by_ssb_is_explained(tiny_ssb, make_client):
    tiny_ssb.max_cells = 10  # SSB's own limit lower than ours: the 403 is reported
    with pytest.raises(DataError, match=r"too large \(HTTP 403\) \(SSB said: .*Too many values"):
        make_client(tiny_ssb).query("07459", SELECTION)


def test_unknown_value_is_ssbs_400(tiny_ssb, make_client):
    with pytest.raises(DataError, match="Parameter error"):
        make_client(tiny_ssb).query("07459", {**SELECTION, "Tid": ["1850"]})


def test_offline_is_a_clear_error_at_once(tiny_ssb, make_client, clock):
    tiny_ssb.script = [offline_error()]
    with pytest.raises(DataError) as info:
        make_client(tiny_ssb).metadata("07459")
    message = str(info.value)
    assert "could not reach data.ssb.no (offline?)" in message
    assert "use files instead" in message and "--population" in message
    assert clock.sleeps == [] and len(tiny_ssb.calls) == 1  # no retries when the name is unknown


def test_timeouts_are_retried(tiny_ssb, make_client):
    tiny_ssb.script = [urllib.error.URLError(TimeoutError("timed out")), TimeoutError()]
    assert make_client(tiny_ssb, min_interval=0).metadata("07459").table == "07459"
    assert len(tiny_ssb.calls) == 3


def test_answer_that_is_not_json(make_client):
    def transport(method, url, body):
        return Response(200, b"<html>maintenance</html>", {})

    with pytest.raises(DataError, match="not JSON"):
        make_client(transport).metadata("07459")


class Reply(io.BytesIO):
    status = 200

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.headers = Message()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_urllib_transport_posts_json(monkeypatch):
    seen = {}
    metadata = load_fixture("07459_metadata_tiny.json")

    def urlopen(request, timeout):
        seen.update(
            url=request.full_url,
            method=request.get_method(),
            body=json.loads(request.data),
            type=request.headers["Content-type"],
            timeout=timeout,
        )
        return Reply(json.dumps(metadata).encode())

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    reply = UrllibTransport(timeout=5)("POST", "https://data.ssb.no/x", b'{"query": []}')
    assert reply.status == 200 and json.loads(reply.body) == metadata
    assert seen == {
        "url": "https://data.ssb.no/x",
        "method": "POST",
        "body": {"query": []},
        "type": "application/json",
        "timeout": 5,
    }


def test_urllib_transport_returns_http_errors_and_raises_when_offline(monkeypatch, clock):
    def http_error(request, timeout):
        headers = Message()
        headers["Retry-After"] = "7"
        raise urllib.error.HTTPError(request.full_url, 429, "Too Many", headers, io.BytesIO(b""))

    monkeypatch.setattr(urllib.request, "urlopen", http_error)
    reply = UrllibTransport()("GET", "https://data.ssb.no/x", None)
    assert reply.status == 429 and reply.headers["Retry-After"] == "7"

    def offline(request, timeout):
        raise offline_error()

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    client = PxWebClient(UrllibTransport(), sleep=clock.sleep, clock=clock)
    with pytest.raises(DataError, match=r"could not reach data\.ssb\.no"):
        client.metadata("07459")


def test_default_transport_is_urllib():
    assert isinstance(PxWebClient().transport, UrllibTransport)


def test_no_test_reaches_the_network():
    # the autouse guard in conftest.py: the real transport cannot get out
    with pytest.raises(AssertionError, match="network"):
        UrllibTransport()("GET", "https://data.ssb.no/api/v0/no/table/07459", None)


def test_fake_ssb_speaks_the_recorded_layout(tiny_ssb, make_client):
    # the fake's answer to the fixture's query is the recorded answer, key for key
    recorded = load_fixture("07459_0301_4204_2023-2024.json")
    [(_, doc)] = make_client(tiny_ssb).query("07459", SELECTION)
    assert doc == recorded
    assert list(doc) == list(recorded)


def test_fake_ssb_is_strict():
    fake = FakeSsb({})
    assert fake("GET", "https://data.ssb.no/api/v0/no/table/99999", None).status == 404

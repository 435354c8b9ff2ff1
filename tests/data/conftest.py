"""Fixtures for the data layer: no network, a fake SSB, a fresh cache folder per test."""

from __future__ import annotations

import socket
import urllib.request

import pandas as pd
import pytest
from ssb_fake import FakeSsb, load_fixture

from mc.data.pxweb import PxWebClient


@pytest.fixture(autouse=True)
def no_network(monkeypatch, tmp_path):
    """No test here may reach data.ssb.no (or anything else), and none uses the user's cache."""

    def refuse(*args, **kwargs):
        raise AssertionError("a data test tried to open a network connection")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("TBU_MC_CACHE", str(tmp_path / "user-cache"))


class Clock:
    """A fake monotonic clock that ``sleep`` advances; records every sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_client(clock):
    """A client on a fake transport whose waits cost no time."""

    def make(transport, **options) -> PxWebClient:
        return PxWebClient(transport, sleep=clock.sleep, clock=clock, **options)

    return make


@pytest.fixture
def tiny_ssb() -> FakeSsb:
    """SSB serving the recorded tiny 07459 metadata and response (two municipalities)."""
    metadata = load_fixture("07459_metadata_tiny.json")
    recorded = load_fixture("07459_0301_4204_2023-2024.json")
    from mc.data.jsonstat import parse_jsonstat2

    frame = parse_jsonstat2(recorded).frame
    codes = ["Region", "Kjonn", "Alder", "ContentsCode", "Tid"]
    cells = {tuple(row[codes]): row["value"] for _, row in frame.iterrows()}
    return FakeSsb({"07459": (metadata, cells)})


@pytest.fixture(scope="session")
def municipal_rows(data_dir) -> pd.DataFrame:
    """SSB's municipal file (../shared/data), read once: it is the slow one."""
    return pd.read_csv(
        data_dir / "population_municipalities_by_age_sex.csv.gz", dtype={"municipality": str}
    )

"""The checksums of the shipped configurations, pinned.

Checkpoints and run manifests identify a run by :meth:`Config.sha256`, the checksum of
:meth:`Config.to_dict`. These values were computed before the configuration was rewritten as one
declared schema per section (issue 13); they guard that rewrite and any later one: a change here
means every existing checkpoint and manifest would stop matching its configuration.

tbu-2025 and tbu-2030 changed once on purpose (issue 17): their description became
``{nb: ..., en: ...}`` so that each report shows it in its own language; nothing else moved.
"""

import pytest

from mc.model.config import Config, load_config
from tests.conftest import CONFIGS

SHA256 = {
    "municipalities-2025.yaml": "f616023d1fb4f698855d3c220ab75f1815fcbaa2fc5f5db909cfec8f40d6a826",
    "tbu-2024-actual.yaml": "aba5d4cada69a108bf08ec12d8bfd1e9d1933ca957b5a1c2dc4663cfd0fa242e",
    "tbu-2025-projection.yaml": "bce1a8179ca7a07af30fe7fdcc40435bbd1ccd65ecc63b6cfcd164a84c4c18fc",
    "tbu-2025.yaml": "8b0920b574c9a544d592e2eaf4e05cbcdab723602a9644e2c30d74142ab28105",
    "tbu-2030.yaml": "823607c0cec2345b01bb5c0f965e82de62d24c7221d5c0739355b2907e63058b",
}


def test_every_shipped_config_is_pinned():
    assert sorted(p.name for p in CONFIGS.glob("*.yaml")) == sorted(SHA256)


@pytest.mark.parametrize("name", sorted(SHA256))
def test_checksum_of_shipped_config_is_unchanged(name):
    config = load_config(CONFIGS / name)
    assert config.sha256() == SHA256[name]
    # the resolved form reads back to the same configuration
    assert Config.from_dict(config.to_dict(), base_dir=CONFIGS).sha256() == SHA256[name]

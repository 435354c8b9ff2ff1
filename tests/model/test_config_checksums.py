"""The checksums of the shipped configurations, pinned.

Checkpoints and run manifests identify a run by :meth:`Config.sha256`, the checksum of
:meth:`Config.to_dict`. These values were computed before the configuration was rewritten as one
declared schema per section (issue 13); they guard that rewrite and any later one: a change here
means every existing checkpoint and manifest would stop matching its configuration.
"""

import pytest

from mc.model.config import Config, load_config
from tests.conftest import CONFIGS

SHA256 = {
    "municipalities-2025.yaml": "3ab30e7b1655bf817b14708ba78d8333956e22a67a393ce1bd56f932fbcc1f66",
    "tbu-2024-actual.yaml": "945faba20c862be5180bceaab9e6899bde46da828ebaf3cd919e4a9f67b00459",
    "tbu-2025-autumn.yaml": "596674a773959d1e99bef96cca10e61204c0009827090dee9c360f4c77e76fd4",
    "tbu-2025-projection.yaml": "448c85ed3a8799733cdaad61a40321fd2b7a195dfd6b6ef6f4fb22400cc029f8",
    "tbu-2025.yaml": "28ca3fb52551652b071af8aee041156b393ba99c3a51644bacb01d72d877527b",
    "tbu-2030.yaml": "48bc0a2117d683b36360baf7c05930696391c33136ea9a1ff32200e7151ce8fa",
}


def test_every_shipped_config_is_pinned():
    assert sorted(p.name for p in CONFIGS.glob("*.yaml")) == sorted(SHA256)


@pytest.mark.parametrize("name", sorted(SHA256))
def test_checksum_of_shipped_config_is_unchanged(name):
    config = load_config(CONFIGS / name)
    assert config.sha256() == SHA256[name]
    # the resolved form reads back to the same configuration
    assert Config.from_dict(config.to_dict(), base_dir=CONFIGS).sha256() == SHA256[name]

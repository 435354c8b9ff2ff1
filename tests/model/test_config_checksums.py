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
    "tbu-2025-autumn.yaml": "40f51f1d2ae804bf2a0406a69c89ec92d54c353d6458761f27a01fd1bbd741d9",
    "tbu-2025-projection.yaml": "448c85ed3a8799733cdaad61a40321fd2b7a195dfd6b6ef6f4fb22400cc029f8",
    "tbu-2025.yaml": "24f1d977efe07bafaabb893b908ffca7396a15ab216cccc4b489076ad67ef5e5",
    "tbu-2030.yaml": "4aff84cc407080e4c4594741d6ae2e4174b7193d9c507c2902f1cf7e39559d81",
}


def test_every_shipped_config_is_pinned():
    assert sorted(p.name for p in CONFIGS.glob("*.yaml")) == sorted(SHA256)


@pytest.mark.parametrize("name", sorted(SHA256))
def test_checksum_of_shipped_config_is_unchanged(name):
    config = load_config(CONFIGS / name)
    assert config.sha256() == SHA256[name]
    # the resolved form reads back to the same configuration
    assert Config.from_dict(config.to_dict(), base_dir=CONFIGS).sha256() == SHA256[name]

"""The checksums of the shipped configurations, pinned.

Checkpoints and run manifests identify a run by :meth:`Config.sha256`, the checksum of
:meth:`Config.to_dict`. These values were computed before the configuration was rewritten as one
declared schema per section (issue 13); they guard that rewrite and any later one: a change here
means every existing checkpoint and manifest would stop matching its configuration. They moved on
purpose when the default tables became sourced instead of fitted (docs/inputs.md), and again when
every input got the day it was published (docs/inputs.md, "Information dates"), when the
March 2024 configurations got unit costs from sources public by their as_of, when KS's budget
survey became a dated input, and when municipal runs took their national draw from the
component projection.
"""

import pytest

from mc.model.config import Config, load_config
from tests.conftest import CONFIGS

SHA256 = {
    "municipalities-2025.yaml": "61aaf7fe57012ebb23eb4594fe45164024c45d0d708548bd671c75ec6016d8ea",
    "tbu-2024-actual.yaml": "da978b9b56ac3470a9ba0a1198c16d3d5476a4ecd6250af0a713db3a51b5fc35",
    "tbu-2025-autumn.yaml": "09b20f3cfde4d2a52118101c79ee378c6b743e5d74ca5f3ac168ea5151790283",
    "tbu-2025-projection.yaml": "0ea3037fb558c7269783248e4825b6a24c4c242dc4777da45ba077fab3c75bd0",
    "tbu-2025.yaml": "0518fd12540df7ddcf1c9f3db810eb26a7a0d4f177df8a636aef5142fca2c955",
    "tbu-2030.yaml": "d160d5cff0270626b8edb4b222726caea0ec4aa0cfe5e3ed376cf97a50d0d2b2",
}


def test_every_shipped_config_is_pinned():
    assert sorted(p.name for p in CONFIGS.glob("*.yaml")) == sorted(SHA256)


@pytest.mark.parametrize("name", sorted(SHA256))
def test_checksum_of_shipped_config_is_unchanged(name):
    config = load_config(CONFIGS / name)
    assert config.sha256() == SHA256[name]
    # the resolved form reads back to the same configuration
    assert Config.from_dict(config.to_dict(), base_dir=CONFIGS).sha256() == SHA256[name]

"""The checksums of the shipped configurations, pinned.

Checkpoints and run manifests identify a run by :meth:`Config.sha256`, the checksum of
:meth:`Config.to_dict`. These values were computed before the configuration was rewritten as one
declared schema per section (issue 13); they guard that rewrite and any later one: a change here
means every existing checkpoint and manifest would stop matching its configuration. They moved on
purpose when the default tables became sourced instead of fitted (docs/inputs.md), and again when
every input got the day it was published (docs/inputs.md, "Information dates"), and when the
March 2024 configurations got unit costs from sources public by their as_of.
"""

import pytest

from mc.model.config import Config, load_config
from tests.conftest import CONFIGS

SHA256 = {
    "municipalities-2025.yaml": "4cfa6c717979457f8a6629095a33496cc15ce53d60021e88e0ab25987a7efca1",
    "tbu-2024-actual.yaml": "da978b9b56ac3470a9ba0a1198c16d3d5476a4ecd6250af0a713db3a51b5fc35",
    "tbu-2025-autumn.yaml": "ed80647e935142fd89b792f3e32e81bc74d64b1fbd619fca6263538a76600785",
    "tbu-2025-projection.yaml": "0ea3037fb558c7269783248e4825b6a24c4c242dc4777da45ba077fab3c75bd0",
    "tbu-2025.yaml": "bb19a725be2011e4eff0590fb531a0160da833639557db4557a8c86bf05c5933",
    "tbu-2030.yaml": "d4eaf90f658244a9ea70ca973f7b82c82a260dc202b803d2cb1bcf840f7b03f3",
}


def test_every_shipped_config_is_pinned():
    assert sorted(p.name for p in CONFIGS.glob("*.yaml")) == sorted(SHA256)


@pytest.mark.parametrize("name", sorted(SHA256))
def test_checksum_of_shipped_config_is_unchanged(name):
    config = load_config(CONFIGS / name)
    assert config.sha256() == SHA256[name]
    # the resolved form reads back to the same configuration
    assert Config.from_dict(config.to_dict(), base_dir=CONFIGS).sha256() == SHA256[name]

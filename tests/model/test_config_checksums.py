"""The checksums of the shipped configurations, pinned.

Checkpoints and run manifests identify a run by :meth:`Config.sha256`, the checksum of
:meth:`Config.to_dict`. These values were computed before the configuration was rewritten as one
declared schema per section (issue 13); they guard that rewrite and any later one: a change here
means every existing checkpoint and manifest would stop matching its configuration. They moved on
purpose when the default tables became sourced instead of fitted (docs/inputs.md), and again when
every input got the day it was published (docs/inputs.md, "Information dates"). The municipal
configuration's moved when its national draw became the component projection
(``population.national_model: components``); a municipal configuration without the key keeps its
checksum (the default, ``ratios``, is not written).
"""

import pytest

from mc.model.config import Config, load_config
from tests.conftest import CONFIGS

SHA256 = {
    "municipalities-2025.yaml": "3ec408524f7a6768daf20e86670930474d98460a1007e5efb41cd7936cf9101e",
    "tbu-2024-actual.yaml": "a0f393f641231cc3f1847f2d1325821724a85765d66e03b3ce301c94c6533361",
    "tbu-2025-autumn.yaml": "84cfc852f351462ceedc2b47a3744c182e8d35492b06404befcca3e3441b8a35",
    "tbu-2025-projection.yaml": "41bfe8206d0fee7fcafd4f1e5bac30adaa91dc920e0b28c0613be86546329b12",
    "tbu-2025.yaml": "c9469f72723061a88f215189e2f0af453c2e517fae77c9791aff6e27844eb585",
    "tbu-2030.yaml": "31f8830f88029b3d0530572d7f13c9c037b676e34bf6061d401edf580c10d13c",
}


def test_every_shipped_config_is_pinned():
    assert sorted(p.name for p in CONFIGS.glob("*.yaml")) == sorted(SHA256)


@pytest.mark.parametrize("name", sorted(SHA256))
def test_checksum_of_shipped_config_is_unchanged(name):
    config = load_config(CONFIGS / name)
    assert config.sha256() == SHA256[name]
    # the resolved form reads back to the same configuration
    assert Config.from_dict(config.to_dict(), base_dir=CONFIGS).sha256() == SHA256[name]

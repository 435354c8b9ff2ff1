"""The checksums of the shipped configurations, pinned.

Checkpoints and run manifests identify a run by :meth:`Config.sha256`, the checksum of
:meth:`Config.to_dict`. These values were computed before the configuration was rewritten as one
declared schema per section (issue 13); they guard that rewrite and any later one: a change here
means every existing checkpoint and manifest would stop matching its configuration. They moved on
purpose when the default tables became sourced instead of fitted (docs/inputs.md).
"""

import pytest

from mc.model.config import Config, load_config
from tests.conftest import CONFIGS

SHA256 = {
    "municipalities-2025.yaml": "863801c836ed3d2e81d3ddfe25194ef4da17c0b24d4366abbdb5c539b096e5ce",
    "tbu-2024-actual.yaml": "31b2238103a403cc6f6e5e45fcd627e4b4aab3d664f1152b59fa6ef0a7d81dc9",
    "tbu-2025-autumn.yaml": "c47f07a6a10f40a92058b63751fc9237738e4c6e4e129d588d8411775c02196c",
    "tbu-2025-projection.yaml": "521f513934a79004eb5f4505628e4551ef1ed52e3fb795ac9e237c4d72c34d26",
    "tbu-2025.yaml": "d3a36ba72dabfc0d5ad706c284d797ccf94f8128484ba3b61c41a6eaa8ac12b4",
    "tbu-2030.yaml": "f9e68d2b536bae1b6d1303af050b2b87381ddf4e11b317bb8a85120ca71e0c6b",
}


def test_every_shipped_config_is_pinned():
    assert sorted(p.name for p in CONFIGS.glob("*.yaml")) == sorted(SHA256)


@pytest.mark.parametrize("name", sorted(SHA256))
def test_checksum_of_shipped_config_is_unchanged(name):
    config = load_config(CONFIGS / name)
    assert config.sha256() == SHA256[name]
    # the resolved form reads back to the same configuration
    assert Config.from_dict(config.to_dict(), base_dir=CONFIGS).sha256() == SHA256[name]

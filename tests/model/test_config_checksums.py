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
    "municipalities-2025.yaml": "d7981e4b752b531d35746cde5dc82ac4d1dd2f4f55d36837dc26251db47da399",
    "tbu-2024-actual.yaml": "3790ef3a7ff5335c831ba6b02c6a66478af10aa55aabd05ec29706b2442451d4",
    "tbu-2025-projection.yaml": "7d46fe25eb8dd6b45c13c8eadbeb792746fa2077b3adc929bfb9bd63979b4cb5",
    "tbu-2025.yaml": "544d2d1415dcc1a8c640a1beefad026cf71e078a9cd68d293988ec711eb99dcf",
    "tbu-2030.yaml": "7f38f5910ca5867db12eeafe9dea094c649a32edab2744fea31a763a66339bd3",
}


def test_every_shipped_config_is_pinned():
    assert sorted(p.name for p in CONFIGS.glob("*.yaml")) == sorted(SHA256)


@pytest.mark.parametrize("name", sorted(SHA256))
def test_checksum_of_shipped_config_is_unchanged(name):
    config = load_config(CONFIGS / name)
    assert config.sha256() == SHA256[name]
    # the resolved form reads back to the same configuration
    assert Config.from_dict(config.to_dict(), base_dir=CONFIGS).sha256() == SHA256[name]

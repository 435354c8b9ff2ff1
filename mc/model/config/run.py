"""The ``run`` section: defaults of ``tbu-mc run`` that the command line may override.

Further run options are added here as declared fields (:func:`mc.model.schema.setting`); the
parser, the defaults, the messages and the written form follow from the declaration.
"""

from __future__ import annotations

from dataclasses import dataclass

from mc.model.schema import setting


@dataclass(frozen=True)
class RunDefaults:
    """Defaults for ``tbu-mc run`` that the command line may override."""

    draws: int = setting("integer", 100_000, low=1)
    block_size: int = setting("integer", 10_000, low=1)
    seed: int | None = setting("integer", None, low=0)

"""The ``run`` section: how ``tbu-mc run`` runs the configuration; each flag may override it.

``draws``, ``block_size`` and ``seed`` size and seed the run; ``design``, ``sensitivity``,
``precision``, ``confidence``, ``wave`` and ``precision_variable`` are the options of the same
names on the command line (:class:`mc.workflow.RunOptions` checks them against each other);
``keep_draws`` is ``--keep-draws``, how many of the first draws ``draws.nc`` holds. Unset
options are left out of the written form, so a configuration's checksum is the same as before they
existed.

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
    design: str | None = setting("choice", None, choices=("mc", "lhs", "sobol"))
    sensitivity: int | None = setting("integer", None, low=2)
    precision: tuple[str, ...] = setting("list", (), omit="falsy")
    confidence: float | None = setting("number", None, low=0.0, high=1.0, low_open=True)
    wave: int | None = setting("integer", None, low=1)
    precision_variable: str | None = setting("text", None)
    #: Draws written to ``draws.nc``: the first ones of the stream (unset: RunOptions' default).
    keep_draws: int | None = setting("integer", None, low=0)

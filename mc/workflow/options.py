"""How to run an analysis: one frozen, validated object shared by the CLI and the Python API.

The command line builds a :class:`RunOptions` from its flags; a notebook builds the same object
by hand. Anything left at ``None`` falls back to the configuration's ``run`` section (draws, block
size, seed) or to the defaults below.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from mc.engine import SchedulerSpec
from mc.errors import ConfigError
from mc.model.config import RunDefaults
from mc.sampling.designs import DESIGNS
from mc.summary.precision import parse_target

DEFAULT_CONFIDENCE = 0.95  # level of --precision targets
#: Without --wave, a --precision run is cut into at least this many waves (precision checks),
#: so that the stopping rule can stop it at a tenth of the cap or later; with fewer (the old
#: default of 4 blocks a wave on tbu-2025's 4 blocks of 25,000) it could only stop at the cap.
MIN_WAVES = 10
MIN_SENSITIVITY = 2  # base sample of the Sobol indices: one draw leaves the variances undefined
#: Draws a run writes to ``draws.nc`` unless told otherwise: the shipped default run (100,000
#: draws) keeps every draw, as before runs streamed; at 57 cells of 8 bytes a draw that is
#: about 46 MB in the client, and a larger run keeps only its first this many (issue 16).
DEFAULT_KEEP_DRAWS = 100_000


@dataclass(frozen=True)
class RunOptions:
    """Options of one run; validated when built, before anything is loaded or drawn.

    Parameters
    ----------
    draws, block_size, seed : int, optional
        Override the configuration's ``run`` section. With no seed anywhere, fresh entropy is
        drawn and recorded. Without ``block_size`` the configured one is a preference that gives
        way to one that fits ``draws`` (see :func:`mc.engine.plan_blocks`).
    deterministic : bool
        Only the point estimates (every driver at its central value).
    design : {"mc", "lhs", "sobol"}
        Sampling design of the demographic cost drivers in each block.
    sensitivity : int
        Base sample of the sensitivity analysis (0: none).
    precision : tuple of str
        Stopping targets such as ``"mean=0.01"`` or ``"q95=1%"``; ``draws`` is then the cap.
    confidence : float, optional
        Level of the precision targets (default :data:`DEFAULT_CONFIDENCE`).
    wave : int, optional
        Blocks between precision checks (default: chosen from the cap so that there are at
        least :data:`MIN_WAVES` checks, see :meth:`wave_for`).
    precision_variable : str, optional
        Variable the precision targets refer to.
    force_size : bool
        Start even if the run's estimated memory or disk need exceeds this machine's.
    scheduler : SchedulerSpec, optional
        Where blocks run (default: a LocalCluster over all cores).
    keep_draws : int, optional
        How many of the stream's first draws come back to write ``draws.nc`` (whole blocks;
        default :data:`DEFAULT_KEEP_DRAWS`; 0: no ``draws.nc``). The statistics never need
        them: they come from the blocks' merged summaries, or exactly from the draws when every
        draw is kept.
    costs_only : bool
        Draw only the demographic costs of a configuration with an ``economy`` section, from
        the stream the full model gives them (the same draws, bit for bit), without the
        economy's. The other view of a two-view run needs no more (see
        :func:`mc.workflow.views.analyse_views`).

    Raises
    ------
    ConfigError
        Naming the option (as its command-line flag), the value and what is allowed.

    Examples
    --------
    >>> RunOptions(draws=20_000, seed=1).draws
    20000
    >>> RunOptions(confidence=0.9)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mc.errors.ConfigError: config field '--confidence' = 0.9: applies only with --precision ...
    """

    draws: int | None = None
    block_size: int | None = None
    seed: int | None = None
    deterministic: bool = False
    design: str = "mc"
    sensitivity: int = 0
    precision: tuple[str, ...] = ()
    confidence: float | None = None
    wave: int | None = None
    precision_variable: str | None = None
    force_size: bool = False
    scheduler: SchedulerSpec | None = None
    keep_draws: int | None = None
    costs_only: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "precision", tuple(self.precision))
        for flag, value, low in (
            ("--draws", self.draws, 1),
            ("--block-size", self.block_size, 1),
            ("--seed", self.seed, 0),
            ("--keep-draws", self.keep_draws, 0),
        ):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < low
            ):
                raise ConfigError(flag, value, f"must be a whole number >= {low}")
        check_run_options(
            deterministic=self.deterministic,
            design=self.design,
            sensitivity=self.sensitivity,
            precision=self.precision,
            confidence=self.confidence,
            wave=self.wave,
            precision_variable=self.precision_variable,
        )

    @property
    def level(self) -> float:
        """Confidence level of the precision targets."""
        return DEFAULT_CONFIDENCE if self.confidence is None else self.confidence

    @property
    def kept_draws(self) -> int:
        """How many of the first draws ``draws.nc`` holds at most."""
        return DEFAULT_KEEP_DRAWS if self.keep_draws is None else self.keep_draws

    def wave_for(self, n_blocks: int) -> int:
        """Blocks between precision checks in a plan of ``n_blocks`` blocks.

        ``wave`` if given, else as many blocks as keep at least :data:`MIN_WAVES` checks.

        Examples
        --------
        >>> RunOptions(precision=("mean=0.01",)).wave_for(10)
        1
        >>> RunOptions(precision=("mean=0.01",)).wave_for(45)
        4
        """
        if self.wave is not None:
            return self.wave
        return max(1, n_blocks // MIN_WAVES)

    def block_preference(self, configured: int, cap: int) -> int:
        """The block size to prefer when none is given: small enough for :data:`MIN_WAVES` waves.

        Without ``precision`` targets, or with an explicit ``block_size`` or ``wave``, the
        configured one. A precision run of ``cap`` draws prefers blocks of at most
        ``cap / MIN_WAVES`` so that its stopping rule is checked at least that many times.

        Examples
        --------
        >>> RunOptions(precision=("mean=0.01",)).block_preference(25_000, 100_000)
        10000
        >>> RunOptions().block_preference(25_000, 100_000)
        25000
        """
        if not self.precision or self.block_size is not None or self.wave is not None:
            return configured
        return max(1, min(configured, cap // MIN_WAVES))

    @classmethod
    def from_config(cls, run: RunDefaults, **given: Any) -> RunOptions:
        """The options of a configuration's ``run`` section, with ``given`` ones taking over.

        ``given`` values of ``None`` (or an empty ``precision``) mean "not given": the section's
        value stands. Flags and file are then checked together, as one set of options.

        Examples
        --------
        >>> from mc.model.config import RunDefaults
        >>> RunOptions.from_config(RunDefaults(draws=5_000, design="lhs"), seed=3)
        ... # doctest: +ELLIPSIS
        RunOptions(draws=5000, block_size=None, seed=3, deterministic=False, design='lhs', ...)
        """
        from_file: dict[str, Any] = {
            "draws": run.draws,
            "seed": run.seed,
            "design": run.design or "mc",
            "sensitivity": run.sensitivity or 0,
            "precision": tuple(run.precision),
            "confidence": run.confidence,
            "wave": run.wave,
            "precision_variable": run.precision_variable,
            "keep_draws": run.keep_draws,
        }
        chosen = {k: v for k, v in given.items() if v is not None and v != () and v != []}
        if given.get("design") == "mc":
            chosen.pop("design")  # the command line's default, not a choice
        if given.get("sensitivity") == 0:
            chosen.pop("sensitivity")
        return cls(**{**from_file, **chosen})

    def updated(self, **changes: Any) -> RunOptions:
        """A copy with ``changes`` applied and validated again."""
        return replace(self, **changes)


def check_run_options(
    *,
    deterministic: bool = False,
    design: str = "mc",
    sensitivity: int = 0,
    precision: Sequence[str] = (),
    confidence: float | None = None,
    wave: int | None = None,
    precision_variable: str | None = None,
) -> None:
    """Check a run's options against each other, before anything is loaded or drawn.

    ``None`` means "not given": ``confidence``, ``wave`` and ``precision_variable`` only make
    sense with ``precision`` targets, and stopping rules, designs and sensitivity analyses only
    with draws (not ``deterministic``).

    Raises
    ------
    ConfigError
        Naming the option (as its command-line flag), the value and what is allowed.

    Examples
    --------
    >>> check_run_options(precision=["q95=1%"], confidence=0.9)
    >>> check_run_options(sensitivity=-5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mc.errors.ConfigError: config field '--sensitivity' = -5: must be a base sample size >= 2 ...
    """
    if isinstance(sensitivity, bool) or int(sensitivity) != sensitivity:
        raise ConfigError("--sensitivity", sensitivity, "must be a whole number")
    if sensitivity and sensitivity < MIN_SENSITIVITY:
        raise ConfigError(
            "--sensitivity",
            sensitivity,
            f"must be a base sample size >= {MIN_SENSITIVITY} (16384 if given without a "
            "number); leave the flag out for no sensitivity analysis",
        )
    if design not in DESIGNS:
        raise ConfigError("--design", design, f"must be one of {list(DESIGNS)}")
    for target in precision:
        parse_target(target)
    if confidence is not None and not (math.isfinite(confidence) and 0 < confidence < 1):
        raise ConfigError("--confidence", confidence, "must be in (0, 1), e.g. 0.95")
    if wave is not None and (isinstance(wave, bool) or int(wave) != wave or wave < 1):
        raise ConfigError("--wave", wave, "must be a whole number of blocks >= 1")
    if not precision:
        for flag, value in (
            ("--confidence", confidence),
            ("--wave", wave),
            ("--precision-variable", precision_variable),
        ):
            if value is not None:
                raise ConfigError(flag, value, "applies only with --precision targets; add one")
    if deterministic:
        needs_draws: tuple[tuple[str, object, bool], ...] = (
            ("--precision", list(precision), not precision),
            ("--sensitivity", sensitivity, not sensitivity),
            ("--design", design, design == "mc"),
        )
        for flag, given, unused in needs_draws:
            if not unused:
                raise ConfigError(
                    flag, given, "needs draws; it cannot be combined with --deterministic"
                )

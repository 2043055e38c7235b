"""Alignment options: one frozen dataclass; each signal's weight and parameters come from the
signal registry (:data:`aligner.signals.SIGNALS`), whose defaults are also the CLI's."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from aligner.errors import ConfigurationError
from aligner.records import LANG_CODE
from aligner.signals import SIGNALS, Signal
from aligner.signals.base import WEIGHT_BOUNDS, check_bounds


def _registered() -> tuple[str, ...]:
    return tuple(SIGNALS)


def _check_signal(name: str, where: str) -> type[Signal]:
    if name not in SIGNALS:
        raise ConfigurationError(f"unknown signal {name!r}{where}; choose from: "
                                 + ", ".join(sorted(SIGNALS)))
    return SIGNALS[name]


def signal_params(name: str, given: object = None) -> Any:
    """The parameters of signal ``name``: its defaults, updated from a mapping, or as given.

    >>> signal_params("embedding", {"margin": 1.0}).margin
    1.0
    >>> signal_params("embedding", {"margn": 1.0})
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: unknown parameter 'margn' of signal 'embedding'; choose from: encoder, exact_span, margin, member_floor, member_weight, refine_span
    >>> signal_params("mt", {"member_floor": 2.0})
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: signal 'mt': member_floor must be between -1 and 1, not 2.0
    """
    cls = _check_signal(name, "")
    if isinstance(given, cls.Params):
        return given
    values = _known_params(name, cls, given)
    try:
        return cls.Params(**values)
    except ConfigurationError as error:
        raise ConfigurationError(f"signal {name!r}: {error}") from None


def _known_params(name: str, cls: type[Signal], given: object) -> dict[str, Any]:
    values = dict(given or {}) if isinstance(given, Mapping) or given is None else None
    if values is None:
        raise ConfigurationError(f"parameters of signal {name!r} must be a mapping or "
                                 f"{cls.Params.__name__}, not {type(given).__name__}")
    known = sorted(f.name for f in fields(cls.Params))
    for key in values:
        if key not in known:
            raise ConfigurationError(f"unknown parameter {key!r} of signal {name!r}; "
                                     + ("choose from: " + ", ".join(known) if known
                                        else "it has none"))
    return values


@dataclass(frozen=True)
class AlignConfig:
    """How to align: which signals, their weights and parameters, bead sizes, null-bead cost,
    band width.

    ``weights`` and ``params`` name only what differs from the registered signals' defaults
    (params of a signal: a mapping of field values, or its ``Params`` instance); once built,
    both hold every registered signal.

    >>> AlignConfig().max_bead, AlignConfig().weight("length")
    (6, 0.02)
    >>> AlignConfig(weights={"mt": 0.5}).weights["mt"], AlignConfig().params["embedding"].margin
    (0.5, 1.2)
    >>> AlignConfig(signals=("embedding", "nope"))
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: unknown signal 'nope'; choose from: anchors, continuation, embedding, length, mt
    """

    max_bead: int = 6
    signals: tuple[str, ...] = field(default_factory=_registered)
    src_lang: str | None = None
    tgt_lang: str | None = None
    weights: Mapping[str, float] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    skip: float = -0.1
    merge_penalty: float = 0.03
    bead_cost: float = 0.18
    size_power: float = 0.0
    band: int = 8
    coarse_cells: int = 40_000

    @property
    def max_span(self) -> int:
        """The most sentences one side of a bead joins (the other side has at least one)."""
        return self.max_bead - 1

    def __post_init__(self) -> None:
        if self.max_bead < 2:
            raise ConfigurationError(f"max_bead must be at least 2, not {self.max_bead}")
        for name in self.signals:
            _check_signal(name, "")
        if not self.signals:
            raise ConfigurationError("at least one signal is needed (e.g. length)")
        for name in list(self.weights) + list(self.params):
            _check_signal(name, " in the weights or parameters")
        object.__setattr__(self, "weights", {name: float(self.weights.get(name, cls.weight))
                                             for name, cls in SIGNALS.items()})
        for name, weight in self.weights.items():
            check_bounds(f"the weight of signal {name!r}", weight, WEIGHT_BOUNDS)
        object.__setattr__(self, "params", {name: signal_params(name, self.params.get(name))
                                            for name in SIGNALS})
        for lang in (self.src_lang, self.tgt_lang):
            if lang is not None and not LANG_CODE.match(lang):
                raise ConfigurationError(f"unknown language {lang!r}; use an ISO 639 code "
                                         "such as ru, en, de, fr")
        if self.band < 1:
            raise ConfigurationError(f"band must be at least 1, not {self.band}")

    def __hash__(self) -> int:  # the mappings are never changed once built
        return hash(json.dumps(self.to_json(), sort_keys=True))

    def weight(self, signal: str) -> float:
        """The weight of ``signal`` in a bead's total score."""
        return self.weights[signal]

    def signal(self, name: str) -> Signal:
        """The signal ``name`` with this configuration's parameters."""
        return SIGNALS[name](self.params[name])

    def with_signal(self, name: str, weight: float | None = None,
                    **params: object) -> AlignConfig:
        """A copy with signal ``name``'s weight and/or some of its parameters changed.

        >>> AlignConfig().with_signal("embedding", exact_span=2).params["embedding"].exact_span
        2
        """
        _check_signal(name, "")
        weights = dict(self.weights, **({name: weight} if weight is not None else {}))
        changed = dict(asdict(self.params[name]), **params)
        return replace(self, weights=weights, params=dict(self.params, **{name: changed}))

    def to_json(self) -> dict[str, object]:
        """Flat JSON options for signatures: ``NAME_weight`` and ``NAME_PARAM`` for every signal.

        >>> options = AlignConfig().to_json()
        >>> options["embedding_weight"], options["embedding_exact_span"], options["mt_margin"]
        (1.0, 1, 1.2)
        """
        options: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)
                                      if f.name not in ("weights", "params")}
        options["signals"] = list(self.signals)
        for name in SIGNALS:
            options[f"{name}_weight"] = self.weights[name]
            options.update({f"{name}_{key}": value
                            for key, value in asdict(self.params[name]).items()})
        return options

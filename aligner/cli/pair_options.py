"""The pairing settings' CLI options, one source for ``aligner pair`` and ``aligner run``.

:func:`pair_options` adds them to a command (defaults and ranges from
:class:`~aligner.pair.PairConfig`); :func:`pair_config` turns the parsed values into one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from aligner.pair import PairConfig

F = TypeVar("F", bound=Callable[..., Any])
DEFAULTS = PairConfig()
#: option name -> PairConfig field
FIELDS = {"neighbours": "neighbours", "threshold": "parallel_threshold",
          "max_candidates": "max_candidates"}

_OPTIONS = (
    click.option("--neighbours", "-k", type=click.IntRange(min=1), default=DEFAULTS.neighbours,
                 show_default=True,
                 help="Nearest documents to verify as translations, per document and direction "
                      f"(same-event and related pairs: up to {DEFAULTS.relation_neighbours}), "
                      "e.g. -k 8."),
    click.option("--threshold", type=click.FloatRange(0.0, 1.0),
                 default=DEFAULTS.parallel_threshold, show_default=True,
                 help="Least confidence for a parallel pair, e.g. --threshold 0.6."),
    click.option("--max-candidates", type=click.IntRange(min=1),
                 default=DEFAULTS.max_candidates, show_default=True,
                 help="Most candidate pairs one document takes part in, possible translations "
                      "and the best margins first: bounds the verification work a document "
                      "draws in a large archive, e.g. --max-candidates 32 to verify more "
                      "same-event and related candidates."),
)


def pair_options(command: F) -> F:
    """Decorator adding the pairing options to a click command."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def pair_config(values: Mapping[str, Any]) -> PairConfig:
    """The pairing settings of the options' parsed ``values`` (other keys are ignored)."""
    return PairConfig(**{field: values[option] for option, field in FIELDS.items()})

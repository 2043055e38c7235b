"""``aligner models install|list`` and ``aligner translate``: Argos models and batch MT."""

from __future__ import annotations

import time
from pathlib import Path

import click
from click.core import ParameterSource

from aligner.cli.common import (InputPath, OutputPath, echo_json, json_option, language_code,
                                progress, quiet_option, reports_errors, warn)
from aligner.io import atomic_write, refuse_output_over_input
from aligner.mt.packages import (NETWORK_TIMEOUT, ModelInfo, install_from_index, install_model,
                                 list_models, package_dirs)
from aligner.mt.translator import (DEVICES, ArgosTranslator, DecodingOptions, load_translator,
                                   read_lines)


@click.group()
def models() -> None:
    """Install and list Argos Translate models (argostranslate's own package folder).

    \b
    Example:
      aligner models install translate-ru_en-1_9.argosmodel
      aligner models install --from-index ru en
      aligner models list --json
    """


@models.command("install", short_help="Install a package file, or one from the Argos index.")
@click.argument("archive", required=False, type=InputPath(
    dir_okay=False, path_type=Path, hint="give the path of a downloaded .argosmodel"))
@click.option("--from-index", nargs=2, metavar="SRC TGT", default=None,
              help="Download the SRC->TGT package listed in argostranslate's package index, "
                   "e.g. --from-index ru en.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=NETWORK_TIMEOUT,
              show_default=True,
              help="Seconds to wait for the index or the download, e.g. --timeout 600.")
@quiet_option
@json_option
@reports_errors
def install(archive: Path | None, from_index: tuple[str, str] | None, timeout: float,
            quiet: bool, as_json: bool) -> None:
    """Install an .argosmodel file offline, or fetch one from the Argos package index.

    \b
    Example:
      aligner models install translate-ru_en-1_9.argosmodel
      aligner models install --from-index ru en --timeout 5
    """
    if (archive is None) == (from_index is None):
        raise click.UsageError("give either FILE.argosmodel or --from-index SRC TGT")
    info = install_model(archive) if archive is not None else install_from_index(*from_index,
                                                                                 timeout=timeout)
    if as_json:
        echo_json(info.to_json())
    elif not quiet:
        click.echo(f"installed {info.id} ({info.src_lang}->{info.tgt_lang}, version "
                   f"{info.version}) in {info.path}")


@models.command("list", short_help="List installed models with languages, version, size.")
@json_option
@reports_errors
def list_installed(as_json: bool) -> None:
    """List installed translation models: id, languages, version, size, folder.

    \b
    Example:
      aligner models list
      aligner models list --json | jq '.[].id'
    """
    installed = list_models()
    if as_json:
        echo_json([info.to_json() for info in installed])
        return
    if not installed:
        where = ", ".join(str(d) for d in package_dirs())
        click.echo(f"no models installed in {where}; install one with "
                   "`aligner models install FILE.argosmodel`")
        return
    for info in installed:
        click.echo(_model_row(info))


def _model_row(info: ModelInfo) -> str:
    return (f"{info.id:<24} {info.src_lang}->{info.tgt_lang:<4} v{info.version:<8} "
            f"{info.size_bytes / 2**20:8.1f} MB  {info.path}")


TRANSLATION_OPTION_NAMES = ("model_id", "device", "beam_size", "max_length", "batch_size",
                            "threads", "no_cache")


def given_translation_options(context: click.Context) -> list[str]:
    """The options of :func:`translation_options` given on the command line (not defaults)."""
    return [param.opts[0] for param in context.command.params
            if param.name is not None and param.name in TRANSLATION_OPTION_NAMES
            and context.get_parameter_source(param.name) is not ParameterSource.DEFAULT]


def translation_options(command: click.Command) -> click.Command:
    """The model, device and decoding options shared by ``translate`` and ``score``."""
    for option in reversed([
        click.option("--model", "model_id", default=None,
                     help="Package id from `aligner models list` (default: the installed one "
                          "for the language pair), e.g. --model translate-ru_en-1_9."),
        click.option("--device", type=click.Choice(DEVICES), default="cpu", show_default=True,
                     help="Where CTranslate2 runs; cuda and auto fall back to cpu; "
                          "e.g. --device cuda."),
        click.option("--beam-size", type=click.IntRange(min=1),
                     default=DecodingOptions.beam_size, show_default=True,
                     help="Beam width (1: greedy, fastest; 4: argostranslate's setting), "
                          "e.g. --beam-size 4."),
        click.option("--max-length", type=click.IntRange(min=1),
                     default=DecodingOptions.max_decoding_length, show_default=True,
                     help="Longest output, in subword tokens, e.g. --max-length 512."),
        click.option("--batch-size", type=click.IntRange(min=1), default=None,
                     help="Sentences per CTranslate2 batch (default: 32 on CPU, 1024 on CUDA), "
                          "e.g. --batch-size 64."),
        click.option("--threads", type=click.IntRange(min=1), default=None,
                     help="CPU threads for CTranslate2 (default: one, see aligner.threads), "
                          "e.g. --threads 2."),
        click.option("--no-cache", is_flag=True,
                     help="Neither read nor write the persistent translation cache."),
    ]):
        command = option(command)
    return command


def make_translator(src_lang: str, tgt_lang: str, model_id: str | None, device: str,
                    beam_size: int, max_length: int, batch_size: int | None, threads: int | None,
                    no_cache: bool) -> ArgosTranslator:
    """A translator built from the options of :func:`translation_options`."""
    return load_translator(src_lang, tgt_lang, model_id, device=device, threads=threads,
                           beam_size=beam_size, max_decoding_length=max_length,
                           max_batch_size=batch_size, use_cache=not no_cache)


def translate_all(translator: ArgosTranslator, sentences: list[str], quiet: bool
                  ) -> list[str]:
    """Translate with a progress bar; warn when CUDA was asked for but CPU did the work."""
    bar = progress(range(len(sentences)), "translate", quiet, total=len(sentences), unit="sent")
    try:
        return translator.translate(sentences, on_progress=bar.update)
    finally:
        bar.close()
        if translator.fallback_reason:
            warn(translator.fallback_reason)


@click.command()
@click.argument("file", type=InputPath(dir_okay=False, path_type=Path))
@click.option("--src-lang", default="ru", show_default=True, callback=language_code,
              help="Language of FILE, e.g. --src-lang de.")
@click.option("--tgt-lang", default="en", show_default=True, callback=language_code,
              help="Language to translate into, e.g. --tgt-lang fr.")
@translation_options
@click.option("-o", "--output", type=OutputPath(dir_okay=False, path_type=Path), default=None,
              help="Write translations here (atomically) instead of stdout, e.g. -o doc.mt.en.")
@quiet_option
@json_option
@reports_errors
def translate(file: Path, src_lang: str, tgt_lang: str, model_id: str | None, device: str,
              beam_size: int, max_length: int, batch_size: int | None, threads: int | None,
              no_cache: bool, output: Path | None, quiet: bool, as_json: bool) -> None:
    """Machine-translate FILE, one sentence per line: the same number of lines comes out.

    Blank lines stay blank. Translations are cached, so a re-run translates nothing twice.
    Use the output as `--translation` for `aligner align`, `pair` or `score`.

    \b
    Example:
      aligner translate doc.ru.txt -o doc.mt.en --beam-size 2 --threads 2
    """
    if as_json and output is None:
        raise click.UsageError("--json prints a summary on stdout: give -o for the translations")
    refuse_output_over_input(output, [file])
    started = time.perf_counter()
    lines = read_lines(file)
    translator = make_translator(src_lang, tgt_lang, model_id, device, beam_size, max_length,
                                 batch_size, threads, no_cache)
    translations = translate_all(translator, lines, quiet)
    text = "".join(line + "\n" for line in translations)
    if output is None:
        click.echo(text, nl=False)
    else:
        with atomic_write(output) as handle:
            handle.write(text)
    stats = translator.stats
    summary = {"input": str(file), "output": str(output) if output else None,
               "lines": len(lines), "distinct": stats.distinct, "from_cache": stats.from_cache,
               "translated": stats.translated, "model": translator.model_id,
               "device": translator.device, "seconds": round(time.perf_counter() - started, 3),
               "signature": translator.signature()}
    if as_json:
        echo_json(summary)
    elif not quiet:
        click.echo(f"{len(lines)} lines: {stats.translated} translated by {translator.model_id} "
                   f"on {translator.device}, {stats.from_cache} from cache", err=True)

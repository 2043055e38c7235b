"""The ``aligner`` command line: wires stages, turns library errors into messages.

Each command lives in its own module and is imported only when it is run, so
``aligner --help`` and light commands never load the encoder, CTranslate2 or argostranslate.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from aligner import __version__
from aligner.errors import show_warnings_on_one_line

INTERRUPTED_EXIT = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C
BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE, as for `yes | head`

# command name -> (module under aligner.cli, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "ingest": ("ingest", "ingest", "Read documents, remove page chrome, split sentences."),
    "align": ("align", "align", "Align two documents sentence by sentence."),
    "eval": ("align", "evaluate", "Score alignments against gold beads (strict/lax P, R, F1)."),
    "pair": ("pair", "pair", "Find which documents are translations of each other."),
    "models": ("models", "models", "Install and list Argos Translate models."),
    "translate": ("models", "translate", "Machine-translate a file, one sentence per line."),
    "score": ("score", "score", "Score aligned beads and documents against machine translation."),
    "tmx": ("tmx", "tmx", "Validate, inspect, merge, filter and convert TMX files."),
    "run": ("run", "run", "The main job: folder of documents to TMX and a quality report."),
    "review": ("review", "review", "Correct alignments in the browser, doubtful beads first."),
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, attribute, _ = COMMANDS[name]
        module = importlib.import_module(f"aligner.cli.{module_name}")
        return getattr(module, attribute)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; Ctrl-C and a reader that went away end it quietly, like Unix tools."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("Interrupted", err=True)
            ctx.exit(INTERRUPTED_EXIT)
        except BrokenPipeError:
            # Nothing more can reach the reader; stop Python complaining when it flushes stdout.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(BROKEN_PIPE_EXIT)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, _, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aligner")
def main() -> None:
    """Turn bilingual news archives into translation memories.

    \b
    Example:
      aligner run corpus/ -o out/        # pair, align, score, write TMX and a report
      aligner ingest corpus/ -o docs.jsonl

    Exit codes: 0 success, 1 data error (bad input file, missing model), 2 usage error (a
    bad option; an input path missing or unreadable), 130 interrupted.
    """
    show_warnings_on_one_line()

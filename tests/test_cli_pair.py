"""``aligner pair`` through click's CliRunner: seeds, output formats and bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligner.cli import main

PARALLEL = ("000_63edd8b27567c1c6", "002_1775d5543770e237")
GERMAN = ("Der Präsident empfing am Montag den Verteidigungsminister in der Hauptstadt. "
          "Die beiden Seiten sprachen über die Zusammenarbeit ihrer Länder und über die "
          "Sicherheit in der Region. Weitere Gespräche sind für den Herbst geplant.\n")


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["pair", *args])


def copy_seeds(corpus_dir: Path, target: Path, *prefixes: str) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in corpus_dir.iterdir():
        if path.name[:3] in prefixes:
            shutil.copy(path, target / path.name)
    return target


def test_seeds_print_one_parallel_pair_then_the_unpaired(corpus_dir):
    result = invoke(str(corpus_dir), "--quiet")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    parallel = [line.split() for line in lines if line.split()[2:3] == ["parallel"]]
    assert [(row[0], row[1]) for row in parallel] == [PARALLEL]
    assert "coverage_src=" in lines[0] and "names=" in lines[0]
    assert "[parallel confidence 1.00]" in lines[0]
    assert "same-event: independent reports of one event" in result.stdout
    assert "1 parallel, 1 same-event, 2 related; 3 without a parallel partner:" in lines
    unpaired = {line.split()[1][:3] for line in lines if line.startswith("unpaired")}
    assert unpaired == {"001", "003", "004"}


def test_json_and_tsv_outputs(corpus_dir, tmp_path):
    out = tmp_path / "pairs.tsv"
    result = invoke(str(corpus_dir), "--json", "-q", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(p["src_id"], p["tgt_id"]) for p in data["pairs"] if p["label"] == "parallel"] \
        == [PARALLEL]
    assert data["signature"]["stage"] == "pair"
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0].split("\t") == ["src_id", "tgt_id", "label", "confidence", "basis",
                                   "evidence"]
    assert not any(row.startswith("#") for row in rows)
    assert all(len(row.split("\t")) == 6 for row in rows)
    first = rows[1].split("\t")
    assert first[:3] == [*PARALLEL, "parallel"]
    assert 0.5 < float(first[3]) <= 1.0
    assert first[4] == "parallel confidence 1.00"
    assert "coverage_tgt=1.0000" in first[5].split()
    assert sum(row.split("\t")[2] == "unpaired" for row in rows) == 3
    signature = json.loads((tmp_path / "pairs.signature.json").read_text(encoding="utf-8"))
    assert signature == data["signature"]


def test_pairs_tsv_reads_as_a_plain_table(corpus_dir, tmp_path):
    import csv

    out = tmp_path / "pairs.tsv"
    assert invoke(str(corpus_dir), "-q", "-o", str(out)).exit_code == 0
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    labels = {(row["src_id"][:3], row["tgt_id"][:3]): row["label"] for row in rows}
    assert labels == {("000", "002"): "parallel", ("001", "002"): "same-event",
                      ("003", "002"): "related", ("004", "002"): "related",
                      ("001", ""): "unpaired", ("003", ""): "unpaired", ("004", ""): "unpaired"}


def test_only_one_language_warns_and_leaves_all_unpaired(corpus_dir, tmp_path):
    folder = copy_seeds(corpus_dir, tmp_path / "ru", "000", "001")
    result = invoke(str(folder))
    assert result.exit_code == 0, result.output
    assert "Warning: no English ('en') documents among the 2 given: nothing to pair" \
        in result.stderr
    assert "no pairs found" in result.stdout
    assert sum(line.startswith("unpaired") for line in result.stdout.splitlines()) == 2


def test_folder_with_one_document(corpus_dir, tmp_path):
    folder = copy_seeds(corpus_dir, tmp_path / "one", "002")
    result = invoke(str(folder))
    assert result.exit_code == 0, result.output
    assert "no Russian ('ru') documents among the 1 given" in result.stderr
    assert f"unpaired    {PARALLEL[1]}" in result.stdout


def test_duplicate_document_is_reported_and_ignored(corpus_dir, tmp_path):
    folder = copy_seeds(corpus_dir, tmp_path / "dup", "000", "002")
    shutil.copy(folder / f"{PARALLEL[1]}.txt", folder / "zz_copy.txt")
    result = invoke(str(folder), "--json")
    assert result.exit_code == 0, result.output
    assert f"zz_copy: same text as {PARALLEL[1]}; left out of pairing" in result.stderr
    data = json.loads(result.stdout)
    assert [(p["src_id"], p["tgt_id"]) for p in data["pairs"]] == [PARALLEL]
    assert data["unpaired"] == ["zz_copy"]


def test_third_language_document_is_set_aside(corpus_dir, tmp_path):
    folder = copy_seeds(corpus_dir, tmp_path / "de", "000", "002")
    (folder / "german.txt").write_text(GERMAN * 3, encoding="utf-8")
    result = invoke(str(folder), "--json", "-q")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(p["src_id"], p["tgt_id"]) for p in data["pairs"]] == [PARALLEL]
    assert data["set_aside"] == [{"id": "german",
                                  "reason": "language 'de' is neither 'ru' nor 'en'"}]


def test_same_languages_is_a_usage_error(corpus_dir):
    result = invoke(str(corpus_dir), "--src-lang", "en", "--tgt-lang", "en")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: source and target language are both 'en'")
    assert "Traceback" not in result.output


def test_missing_path_is_a_usage_error(tmp_path):
    result = invoke(str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope'}: no such file or directory\n"


def test_broken_jsonl_names_the_file(tmp_path):
    bad = tmp_path / "docs.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    out = tmp_path / "pairs.tsv"
    result = invoke(str(bad), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}: not a JSON Lines file of documents")
    assert not out.exists()


@pytest.mark.parametrize("option", ["--help"])
def test_help_has_an_example(option):
    result = invoke(option)
    assert result.exit_code == 0
    assert "Example:" in result.stdout and "aligner pair corpus/" in result.stdout


def test_mt_without_an_installed_model_is_a_one_line_error(corpus_dir, tmp_path, monkeypatch):
    from argos_fixture import use_package_dir

    use_package_dir(monkeypatch, tmp_path / "no-models")
    out = tmp_path / "pairs.tsv"
    result = invoke(str(corpus_dir), "--mt", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no ru->en translation model installed")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_ingest_output_is_accepted(corpus_dir, tmp_path):
    docs = tmp_path / "docs.jsonl"
    ingested = CliRunner().invoke(main, ["ingest", str(corpus_dir), "-o", str(docs), "-q"])
    assert ingested.exit_code == 0, ingested.output
    result = invoke(str(docs), "--json", "-q")
    assert result.exit_code == 0, result.output
    pairs = json.loads(result.stdout)["pairs"]
    assert [(p["src_id"], p["tgt_id"]) for p in pairs if p["label"] == "parallel"] == [PARALLEL]


def test_threshold_above_every_confidence_makes_the_translation_same_event(corpus_dir):
    result = invoke(str(corpus_dir), "--threshold", "1.0", "--json", "-q")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    labels = {(p["src_id"], p["tgt_id"]): p["label"] for p in data["pairs"]}
    assert labels[PARALLEL] == "same-event"
    assert len(data["unpaired"]) == 5
    assert data["signature"]["parallel_threshold"] == "1.0"


def test_max_candidates_bounds_the_pairs_of_each_document_and_is_signed(corpus_dir):
    result = invoke(str(corpus_dir), "--max-candidates", "1", "--json", "-q")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["signature"]["max_candidates"] == "1"
    ends = [doc_id for p in data["pairs"] for doc_id in (p["src_id"], p["tgt_id"])]
    assert len(ends) == len(set(ends))  # no document in two candidates, so in two pairs
    labels = {(p["src_id"], p["tgt_id"]): p["label"] for p in data["pairs"]}
    assert labels[PARALLEL] == "parallel"


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_max_candidates_out_of_range_is_a_usage_error(corpus_dir, value):
    result = invoke(str(corpus_dir), "--max-candidates", value)
    assert result.exit_code == 2
    assert "Invalid value for '--max-candidates'" in result.stderr


def test_malformed_language_code_is_a_usage_error(corpus_dir):
    result = invoke(str(corpus_dir), "--tgt-lang", "english")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: unknown language 'english'")

"""MT scoring: sacrebleu sentence and corpus scores, thresholds, and ``aligner score``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sacrebleu
from click.testing import CliRunner

from aligner.cli import main
from aligner.errors import ConfigurationError, InputError
from aligner.mt import install_model
from aligner.records import Alignment, Bead
from aligner.score import ScoredAlignment, Threshold, apply_threshold, score_alignment
from argos_fixture import TEST_MAX_LENGTH, no_network, tiny_package_archive, use_package_dir

SACREBLEU = [sys.executable, "-m", "sacrebleu"]
WMT_DOCS = ("doc000", "doc001", "doc017", "doc120", "doc226")


def wmt_files(shared_dir: Path, doc: str) -> tuple[Path, Path, Path]:
    seg = shared_dir / "data" / "wmt22-ruen" / "seg"
    return seg / f"{doc}.ru", seg / f"{doc}.en", seg / f"{doc}.mt.Online-B.en"


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def one_to_one(src: list[str], tgt: list[str], doc_id: str = "doc") -> Alignment:
    beads = tuple(Bead((i,), (i,)) for i in range(len(src)))
    return Alignment(f"{doc_id}.ru", f"{doc_id}.en", "ru", "en", tuple(src), tuple(tgt), beads)


def sacrebleu_cli(reference: Path, hypothesis: Path, width: int) -> dict[str, dict]:
    """Run the real sacrebleu command line; its JSON results by metric name."""
    output = subprocess.run([*SACREBLEU, str(reference), "-i", str(hypothesis), "-m", "bleu",
                             "chrf", "ter", "-w", str(width)],
                            check=True, capture_output=True, text=True).stdout
    return {result["name"]: result for result in json.loads(output)}


def assert_equals_cli(scored: ScoredAlignment, reference: Path, hypothesis: Path,
                      widths: tuple[int, ...] = (1, 6)) -> None:
    for width in widths:
        expected = sacrebleu_cli(reference, hypothesis, width)
        assert [c.name for c in scored.corpus] == ["BLEU", "chrF2", "TER"]
        for corpus in scored.corpus:
            cli = expected[corpus.name]
            assert corpus.formatted(width) == f"{cli['score']:.{width}f}", (corpus, cli)
            assert corpus.signature == cli["signature"]
            assert corpus.verbose == cli.get("verbose_score", "")


@pytest.mark.parametrize("doc", WMT_DOCS)
def test_corpus_scores_equal_the_sacrebleu_cli(shared_dir: Path, doc: str):
    source, reference, hypothesis = wmt_files(shared_dir, doc)
    alignment = one_to_one(lines(source), lines(reference), doc)
    scored = score_alignment(alignment, lines(hypothesis))
    assert_equals_cli(scored, reference, hypothesis)


@pytest.mark.slow
def test_corpus_scores_equal_the_cli_on_the_whole_test_set(shared_dir: Path, tmp_path: Path):
    seg = shared_dir / "data" / "wmt22-ruen" / "seg"
    docs = sorted(path.stem for path in seg.glob("*.ru"))
    parts = {kind: [] for kind in ("ru", "en", "mt")}
    for doc in docs:
        for kind, path in zip(parts, wmt_files(shared_dir, doc)):
            parts[kind] += lines(path)
    reference, hypothesis = tmp_path / "ref.en", tmp_path / "hyp.en"
    reference.write_text("".join(line + "\n" for line in parts["en"]), encoding="utf-8")
    hypothesis.write_text("".join(line + "\n" for line in parts["mt"]), encoding="utf-8")
    scored = score_alignment(one_to_one(parts["ru"], parts["en"]), parts["mt"])
    assert len(scored.bead_scores) == 2016
    assert_equals_cli(scored, reference, hypothesis, widths=(6,))


def test_bead_scores_equal_sacrebleu_sentence_level(shared_dir: Path):
    source, reference, hypothesis = wmt_files(shared_dir, "doc001")
    scored = score_alignment(one_to_one(lines(source), lines(reference)), lines(hypothesis))
    output = subprocess.run([*SACREBLEU, str(reference), "-i", str(hypothesis), "-m", "chrf",
                             "-sl", "-b", "-w", "4"], check=True, capture_output=True,
                            text=True).stdout.split()
    assert [f"{score.chrf:.4f}" for score in scored.bead_scores] == output
    bleu = sacrebleu.metrics.BLEU(effective_order=True)
    for score, hyp, ref in zip(scored.bead_scores, lines(hypothesis), lines(reference)):
        assert score.bleu == pytest.approx(bleu.sentence_score(hyp, [ref]).score)
        assert score.mt == hyp


def test_beads_join_their_sentences_and_null_beads_are_not_scored():
    alignment = Alignment("a.ru", "a.en", "ru", "en", ("Один.", "Два.", "Лишнее."),
                          ("One. Two.", "Orphan."),
                          (Bead((0, 1), (0,)), Bead((2,), ()), Bead((), (1,))))
    scored = score_alignment(alignment, ["One.", "Two.", "Extra."], threshold=50)
    joined, deleted, inserted = scored.bead_scores
    assert joined.mt == "One. Two." and joined.chrf == pytest.approx(100.0)
    assert not joined.doubtful
    assert (deleted.mt, deleted.chrf, deleted.doubtful) == ("Extra.", None, False)
    assert (inserted.mt, inserted.bleu) == (None, None)
    assert scored.summary()["scored"] == 1


def test_threshold_decides_apart_from_the_scores():
    alignment = one_to_one(["Кот спит.", "Собака лает."], ["The cat sleeps.", "It rains."])
    scored = score_alignment(alignment, ["The cat is sleeping.", "The dog barks."])
    assert [s.doubtful for s in scored.bead_scores] == [False, True]
    strict = apply_threshold(scored, Threshold(99.0))
    assert [s.chrf for s in strict.bead_scores] == [s.chrf for s in scored.bead_scores]
    assert [s.doubtful for s in strict.bead_scores] == [True, True]
    assert strict.signature["threshold"] == "99.0" and strict.threshold.value == 99.0
    by_bleu = apply_threshold(scored, Threshold(0.0, "bleu"))
    assert not any(s.doubtful for s in by_bleu.bead_scores)
    with pytest.raises(ConfigurationError, match="threshold metric"):
        Threshold(10, "meteor")
    with pytest.raises(ConfigurationError, match="outside 0..100"):
        Threshold(120)


def test_scored_alignment_round_trips_and_pins_its_signature():
    alignment = one_to_one(["Кот спит."], ["The cat sleeps."])
    scored = score_alignment(alignment, ["The cat sleeps."], mt_signature={"file": "mt.en"})
    data = json.loads(json.dumps(scored.to_json()))
    again = ScoredAlignment.from_json(data)
    assert again.to_json() == data
    version = sacrebleu.__version__
    assert scored.signature["bead_chrf"] == \
        f"nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:{version}"
    assert scored.signature["bead_bleu"] == \
        f"nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|version:{version}"
    assert scored.signature["mt:file"] == "mt.en"
    assert (scored.signature["threshold"], scored.signature["threshold_metric"]) == ("30.0", "chrf")


def test_translation_count_must_match_the_source_sentences():
    with pytest.raises(InputError, match="1 translations for 2 source sentences"):
        score_alignment(one_to_one(["a", "b"], ["a", "b"]), ["a"])


# --- the command line -------------------------------------------------------------------------

def write_alignments(path: Path, alignments: list[Alignment]) -> Path:
    path.write_text("".join(json.dumps(a.to_json(), ensure_ascii=False) + "\n"
                            for a in alignments), encoding="utf-8")
    return path


def two_documents() -> list[Alignment]:
    return [one_to_one(["Кот спит.", "Собака лает."], ["The cat sleeps.", "The dog barks."], "d1"),
            one_to_one(["Идёт дождь."], ["It is raining."], "d2")]


def test_score_cli_with_a_translation_file(tmp_path: Path):
    aligned = write_alignments(tmp_path / "aligned.jsonl", two_documents())
    mt = tmp_path / "mt.en"
    mt.write_text("The cat is sleeping.\nA dog barks.\nIt rains.\n", encoding="utf-8")
    out = tmp_path / "scored.jsonl"
    result = CliRunner().invoke(main, ["score", str(aligned), "--translation", str(mt),
                                       "--threshold", "40", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert [d["src_id"] for d in summary["documents"]] == ["d1.ru", "d2.ru"]
    assert summary["threshold"] == {"metric": "chrf", "value": 40.0}
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["bead_scores"][0]["mt"] for r in records] == ["The cat is sleeping.", "It rains."]
    assert records[0]["signature"]["mt:file"] == str(mt)
    rescored = CliRunner().invoke(main, ["score", str(out), "--translation", str(mt)])
    assert rescored.exit_code == 0 and "d2.ru / d2.en: 1 beads" in rescored.output


def test_score_cli_runs_the_tiny_model_offline(tmp_path: Path, monkeypatch):
    use_package_dir(monkeypatch, tmp_path / "argos")
    install_model(tiny_package_archive())
    aligned = write_alignments(tmp_path / "aligned.jsonl", two_documents())
    out = tmp_path / "scored.jsonl"
    with no_network():
        result = CliRunner().invoke(main, ["score", str(aligned), "--model", "ru-en",
                                           "--max-length", str(TEST_MAX_LENGTH), "-o", str(out),
                                           "--quiet"])
    assert result.exit_code == 0, result.output
    records = [ScoredAlignment.from_json(json.loads(line))
               for line in out.read_text(encoding="utf-8").splitlines()]
    assert [len(r.bead_scores) for r in records] == [2, 1]
    # Random weights translate into gibberish: every bead must fall below the threshold.
    assert all(s.doubtful and s.mt and s.chrf < 30 for r in records for s in r.bead_scores)
    assert records[0].signature["mt:model"] == "translate-ru_en"


def test_score_cli_reads_a_pair_file_of_aligner_run(tmp_path: Path):
    header = {"record": "pair", "src_id": "d1.ru", "tgt_id": "d1.en", "src_lang": "ru",
              "tgt_lang": "en", "beads": 2, "signature": {"stage": "align"}}
    beads = [{"record": "bead", "index": 0, "src": [0, 1], "tgt": [0],
              "src_text": ["Кот спит.", "Тихо."], "tgt_text": ["The cat sleeps quietly."]},
             {"record": "bead", "index": 1, "src": [2], "tgt": [],
              "src_text": ["Лишнее."], "tgt_text": []}]
    pair_file = tmp_path / "d1.ru__d1.en.jsonl"
    pair_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                 for r in [header, *beads]), encoding="utf-8")
    mt = tmp_path / "mt.en"
    mt.write_text("The cat sleeps.\nQuietly.\nExtra.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(pair_file), "--translation", str(mt),
                                       "--json"])
    assert result.exit_code == 0, result.output
    [summary] = json.loads(result.output)["documents"]
    assert (summary["src_id"], summary["beads"], summary["scored"]) == ("d1.ru", 2, 1)


@pytest.mark.parametrize("content, message", [
    ("", "no alignments in the file"),
    ("{not json\n", "aligned.jsonl:1: not JSON"),
    ("[0]:[0]\n", "aligned.jsonl:1: not JSON: Extra data; expected JSON Lines alignments"),
    ('{"src_id": "x"}\n', "aligned.jsonl:1: not an alignment record"),
])
def test_score_cli_rejects_bad_alignment_files(tmp_path: Path, content: str, message: str):
    aligned = tmp_path / "aligned.jsonl"
    aligned.write_text(content, encoding="utf-8")
    out = tmp_path / "scored.jsonl"
    result = CliRunner().invoke(main, ["score", str(aligned), "--translation", str(aligned),
                                       "-o", str(out)])
    assert result.exit_code == 1 and result.output.startswith(f"Error: {aligned}")
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_score_cli_rejects_a_short_translation_file_and_conflicting_options(tmp_path: Path):
    aligned = write_alignments(tmp_path / "aligned.jsonl", two_documents())
    mt = tmp_path / "mt.en"
    mt.write_text("only one line\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(aligned), "--translation", str(mt)])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: {mt}: 1 lines, but 3 source sentences need one "
                                     "translation each; translate the same sentences, one per line")
    both = CliRunner().invoke(main, ["score", str(aligned), "--translation", str(mt),
                                     "--model", "ru-en"])
    assert both.exit_code == 2 and "not both" in both.output


@pytest.mark.parametrize("options", [["--model", "ru-en"], ["--beam-size", "4", "--no-cache"],
                                     ["--device", "cpu"], ["--threads", "2"]])
def test_model_options_with_a_translation_file_are_usage_errors(tmp_path: Path,
                                                                options: list[str]):
    aligned = write_alignments(tmp_path / "aligned.jsonl", two_documents())
    mt = tmp_path / "mt.en"
    mt.write_text("one\ntwo\nthree\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(aligned), "--translation", str(mt),
                                       *options])
    named = ", ".join(option for option in options if option.startswith("--"))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: --translation gives the MT, so {named} would do nothing; "
                             "give a translation file or a model's options, not both\n")

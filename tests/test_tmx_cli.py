"""``aligner tmx``: validate, stats, merge, filter, convert through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tmx_support import sample_units, write

from aligner.cli import main
from tmx import TmxUnit, read_header, read_units, validate


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["tmx", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tm(tmp_path: Path) -> Path:
    path = tmp_path / "tm.tmx"
    write(path, sample_units())
    return path


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.tmx"
    path.write_text('<?xml version="1.0"?><tmx version="1.4"><header srclang="ru"/><body><tu>')
    return path


def test_validate_ok_and_invalid_with_lines(tm: Path, tmp_path: Path) -> None:
    code, out, err = run("validate", str(tm))
    assert (code, out) == (0, "") and "OK, 3 units, 0 errors, 0 warnings" in err
    bad = tmp_path / "bad.tmx"
    bad.write_text(tm.read_text(encoding="utf-8").replace('xml:lang="en"', 'xml:lang="en_US"', 1),
                   encoding="utf-8")
    code, out, err = run("validate", str(tm), str(bad))
    assert code == 1
    assert out.startswith(f"{bad}:10: error: <tuv> language 'en_US' is not BCP 47")
    assert err.strip().endswith(f"Error: 1 of 2 files invalid: {bad}")
    code, out, _ = run("validate", "--json", str(bad))
    report = json.loads(out)[0]
    assert code == 1 and report["ok"] is False and report["issues"][0]["line"] == 10


def test_stats_counts_duplicates_and_histogram(tm: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.tmx"
    write(other, [*sample_units()[:1], TmxUnit("Кошка сидит на окне.", "A cat sits.", "ru", "en")])
    code, out, _ = run("stats", "--json", str(tm), str(other))
    stats = json.loads(out)
    assert code == 0
    assert (stats["units"], stats["duplicate_pairs"], stats["sources_with_several_targets"]) == (
        5, 1, 1)
    assert stats["languages"] == {"ru->en": 5}
    assert stats["score_histogram"]["0.9-1.0"] == 2 and stats["score_histogram"]["0.5-0.6"] == 1
    assert stats["unscored"] == 1 and stats["bead_types"] == {"1-1": 2, "2-1": 1}
    code, out, _ = run("stats", str(tm))
    assert code == 0 and "units\t3" in out and "x-align-score 0.9-1.0\t1\t#" in out


def test_merge_dedupes_and_records_signature(tm: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.tmx"
    write(other, [*sample_units()[1:], TmxUnit("Новое.", "New.", "ru", "en")])
    out_path = tmp_path / "merged.tmx"
    code, out, err = run("merge", str(tm), str(other), "-o", str(out_path), "--json")
    assert code == 0 and json.loads(out)["written"] == 4 and json.loads(out)["duplicates"] == 2
    assert "4 units written, 2 duplicates" in err
    assert [u.target for u in read_units(out_path)][-1] == "New."
    header = read_header(out_path)
    assert header.creationtool == "aligner" and header.prop("x-signature-stage") == "tmx-merge"
    assert header.prop("x-signature-duplicates") == "pairs" and validate(out_path).ok


def test_merge_of_two_directions_keeps_each_units_srclang(tm: Path, tmp_path: Path) -> None:
    from tmx import TmxHeader, write_tmx
    english = tmp_path / "en.tmx"
    write_tmx(english, [TmxUnit("Yes.", "Да.", "en", "ru")], TmxHeader(srclang="en"))
    out_path = tmp_path / "merged.tmx"
    code, _, err = run("merge", str(tm), str(english), "-o", str(out_path))
    assert code == 0, err
    assert '<tu srclang="en">' in out_path.read_text(encoding="utf-8")
    assert [(u.src_lang, u.tgt_lang) for u in read_units(out_path)] == [("ru", "en")] * 3 + [
        ("en", "ru")]
    assert validate(out_path).ok
    # Asking for a direction reads every unit in it; a unit without the target is named.
    code, out, _ = run("merge", str(tm), str(english), "--src-lang", "ru", "--tgt-lang", "EN",
                       "-o", str(out_path), "--json")
    assert code == 0 and json.loads(out)["left_out"] == {}
    assert [u.source for u in read_units(out_path)][-1] == "Да."
    code, out, err = run("merge", str(tm), str(english), "--tgt-lang", "ru", "-o",
                         str(out_path), "--json")
    assert json.loads(out)["left_out"] == {"no ru variant": {
        "count": 3, "units": [f"{tm}:{line} (tuid d1:{n})" for n, line in enumerate((6, 12, 20))]}}
    assert "3 left out: 3 no ru variant" in err


def test_filter_reports_each_filter(tm: Path, tmp_path: Path) -> None:
    out_path = tmp_path / "clean.tmx"
    code, out, err = run("filter", str(tm), "--min-score", "0.4", "--max-length-ratio", "2",
                         "-o", str(out_path), "--json")
    assert code == 0, err
    assert json.loads(out) == {"written": 2, "dropped": {"min-align-score": 1},
                               "dropped_units": {"min-align-score": {
                                   "count": 1, "units": [f"{tm}:20 (tuid d1:2)"]}},
                               "skipped_empty": 0, "left_out": {}}
    assert [u.prop("x-align-score") for u in read_units(out_path)] == ["0.9300", "0.5000"]
    assert read_header(out_path).prop("x-filters") == (
        "length=1.. min-align-score=0.4 max-length-ratio=2.0")
    code, out, _ = run("filter", str(tm), "--bead-type", "2-1", "-o", str(out_path), "--json")
    assert json.loads(out)["dropped"] == {"bead-type": 2}


def test_convert_formats(tm: Path, tmp_path: Path) -> None:
    write(tm, [TmxUnit("Да\tнет", "Yes\nno", "ru", "en"), *sample_units()])
    code, out, _ = run("convert", str(tm), "--to", "tsv")
    assert code == 0
    assert out.splitlines()[0] == "Да\\tнет\tYes\\nno" and len(out.splitlines()) == 4
    jsonl = tmp_path / "tm.jsonl"
    code, _, _ = run("convert", str(tm), "--to", "jsonl", "-o", str(jsonl))
    units = [TmxUnit.from_json(json.loads(line)) for line in jsonl.read_text().splitlines()]
    assert code == 0 and units == list(read_units(tm))
    code, _, err = run("convert", str(tm), "--to", "moses", "-o", str(tmp_path / "corpus"))
    assert code == 0 and "1 segments had line breaks replaced" in err
    ru = (tmp_path / "corpus.ru").read_text().splitlines()
    en = (tmp_path / "corpus.en").read_text().splitlines()
    assert len(ru) == len(en) == 4 and en[0] == "Yes no"
    code, _, err = run("convert", str(tm), "--to", "moses")
    assert code == 2 and "give their prefix with -o" in err


def test_bad_files_one_line_errors_and_no_partial_output(broken: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.tmx"
    for args in (["stats", str(broken)], ["convert", str(broken), "--to", "tsv"],
                 ["convert", str(broken), "--to", "jsonl", "-o", str(tmp_path / "x.jsonl")],
                 ["filter", str(broken), "-o", str(tmp_path / "x.tmx")],
                 ["merge", str(broken), "-o", str(tmp_path / "x.tmx")]):
        code, out, err = run(*args)
        assert code == 1, args
        assert out == "" and err.count("\n") == 1 and err.startswith("Error: "), (args, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.tmx"]
    # a missing file is a usage error (exit 2), as in every command
    assert run("stats", str(missing)) == (2, "", f"Error: {missing}: no such file or directory\n")
    assert run("convert", str(broken), "--to", "tsv")[2].startswith(f"Error: {broken}: truncated")


@pytest.mark.parametrize("command, options, message", [
    ("filter", ["--min-length", "50", "--max-length", "10"],
     "the least length 50 is above the most, 10: no unit could pass "
     "(see --min-length/--max-length)"),
    ("convert", ["--to", "tsv", "--src-lang", "ru", "--tgt-lang", "RU"],
     "source and target language are both 'ru': a unit needs two (see --src-lang/--tgt-lang)"),
    ("merge", ["--src-lang", "en-GB", "--tgt-lang", "en_gb"],
     "source and target language are both 'en-GB': a unit needs two "
     "(see --src-lang/--tgt-lang)"),
])
def test_options_that_exclude_every_unit_are_usage_errors(tm: Path, tmp_path: Path, command: str,
                                                           options: list[str],
                                                           message: str) -> None:
    out = tmp_path / "out.file"
    code, _, err = run(command, str(tm), *options, "-o", str(out))
    assert (code, err) == (2, f"Error: {message}\n")
    assert not out.exists()


def test_converted_files_carry_their_signature_beside_them(tm: Path, tmp_path: Path) -> None:
    for fmt, output, sidecar in (("tsv", "out.tsv", "out.signature.json"),
                                 ("moses", "corpus", "corpus.signature.json")):
        code, _, err = run("convert", str(tm), "--to", fmt, "-o", str(tmp_path / output))
        assert code == 0, err
        signature = json.loads((tmp_path / sidecar).read_text(encoding="utf-8"))
        assert signature["stage"] == "tmx-convert" and signature["to"] == fmt
        assert signature["aligner"] and signature["v:lxml"]

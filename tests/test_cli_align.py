"""``aligner align`` and ``aligner eval`` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from aligner.cli import main
from align_cases import EN, GOLD, MT, RU


def write(path: Path, lines: list[str]) -> str:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def presplit(tmp_path: Path, src: list[str] = RU, tgt: list[str] = EN) -> list[str]:
    return ["align", write(tmp_path / "a.ru", src), write(tmp_path / "a.en", tgt),
            "--presplit", "--src-lang", "ru", "--tgt-lang", "en"]


def test_align_prints_gold_format_beads_only(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, presplit(tmp_path) + ["--translation",
                                                            write(tmp_path / "mt", MT)])
    assert result.exit_code == 0, result.output
    expected = [f"{list(s)}:{list(t)}" for s, t in GOLD]
    assert result.stdout.splitlines() == expected


def test_align_jsonl_and_eval_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    runner = CliRunner()
    result = runner.invoke(main, presplit(tmp_path) + ["--format", "jsonl", "-o", str(out),
                                                       "--no-anchors", "--no-continuation",
                                                       "--quiet"])
    assert result.exit_code == 0, result.output
    header, *rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert header["signature"]["signals"] == "embedding,mt,length"
    assert [r["src"] for r in rows if r["src"]] == [[i] for i in range(len(RU))]
    assert all("anchors" not in r["scores"] and "continuation" not in r["scores"] for r in rows)
    beads = tmp_path / "test.beads"
    beads.write_text("".join(f"{r['src']}:{r['tgt']}\n" for r in rows), encoding="utf-8")
    gold = write(tmp_path / "gold", [f"{list(s)}:{list(t)}" for s, t in GOLD])
    result = runner.invoke(main, ["eval", "--gold", gold, "--test", str(beads), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["strict"]["f1"] > 0.8


def test_tsv_shows_texts_side_by_side(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, presplit(tmp_path) + ["--format", "tsv"])
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0].split("\t")
    assert first[1:] == ["1-1", RU[0], EN[0]] and 0.0 <= float(first[0]) <= 1.0


def test_translation_line_count_mismatch_is_one_line_error(tmp_path: Path) -> None:
    out = tmp_path / "never.txt"
    result = CliRunner().invoke(main, presplit(tmp_path) + [
        "--translation", write(tmp_path / "mt", MT[:3]), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "3 lines, but 7 source sentences" in result.output
    assert not out.exists()


def test_unknown_language_is_a_usage_error(tmp_path: Path) -> None:
    args = presplit(tmp_path)
    args[args.index("ru")] = "Russian"
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "unknown language 'Russian'" in result.output


def test_unknown_signal_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, presplit(tmp_path) + ["--signals", "embedding,bleu"])
    assert result.exit_code == 2 and "unknown signal 'bleu'" in result.output


def test_empty_side_gives_null_beads_and_a_note(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, presplit(tmp_path, tgt=[]))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [f"[{i}]:[]" for i in range(len(RU))]
    assert "no sentences (every line is empty)" in result.stderr


def test_a_side_that_is_all_page_chrome_says_so(tmp_path: Path) -> None:
    (tmp_path / "short.ru").write_text("Привет, мир.\n", encoding="utf-8")
    (tmp_path / "b.en").write_text("\n".join(EN) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["align", str(tmp_path / "short.ru"),
                                       str(tmp_path / "b.en"), "--src-lang", "ru"])
    assert result.exit_code == 0, result.output
    assert (f"{tmp_path / 'short.ru'}: no sentences (every paragraph looked like page chrome"
            in result.stderr and "--presplit keeps every line" in result.stderr)


def test_eval_table(tmp_path: Path) -> None:
    gold = write(tmp_path / "g", ["[0]:[0]", "[1]:[1]"])
    test = write(tmp_path / "t", ["[0]:[0]", "[1]:[]", "[]:[1]"])
    result = CliRunner().invoke(main, ["eval", "--gold", gold, "--test", test])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["strict", "0.3333", "0.5000", "0.4000"]


def test_eval_with_unequal_gold_and_test_files_is_a_usage_error(tmp_path: Path) -> None:
    gold = tmp_path / "a.gold"
    gold.write_text("[0]:[0]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), "--test", str(gold),
                                       "--test", str(gold)])
    assert result.exit_code == 2
    assert result.stderr == ("Error: 1 gold files but 2 test files; pass them in matching "
                             "order\n")


def test_eval_bad_line_names_file_and_line(tmp_path: Path) -> None:
    gold = write(tmp_path / "g", ["[0]:[0]"])
    test = write(tmp_path / "t", ["[0]:[0]", "zero to zero"])
    result = CliRunner().invoke(main, ["eval", "--gold", gold, "--test", test])
    assert result.exit_code == 1 and f"{test}:2: not a bead line" in result.output


def test_tmx_output_and_its_need_for_a_file(tmp_path: Path) -> None:
    import tmx

    out = tmp_path / "a.tmx"
    runner = CliRunner()
    result = runner.invoke(main, presplit(tmp_path) + ["--format", "tmx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    units = list(tmx.read_units(out))
    assert len(units) == sum(1 for s, t in GOLD if s and t)
    assert units[0].source == RU[0] and units[0].target == EN[0]
    result = runner.invoke(main, presplit(tmp_path) + ["--format", "tmx"])
    assert result.exit_code == 2 and "needs an output file" in result.output


def test_aligner_score_reads_what_align_jsonl_writes(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    runner = CliRunner()
    result = runner.invoke(main, presplit(tmp_path) + ["--format", "jsonl", "-o", str(out),
                                                       "--quiet"])
    assert result.exit_code == 0, result.output
    mt = tmp_path / "ru.mt.en"
    mt.write_text("".join(f"translation {i}\n" for i in range(len(RU))), encoding="utf-8")
    scored = runner.invoke(main, ["score", str(out), "--translation", str(mt), "--json"])
    assert scored.exit_code == 0, scored.output
    [document] = json.loads(scored.stdout)["documents"]
    bead_lines = out.read_text(encoding="utf-8").splitlines()[1:]
    assert document["beads"] == len(bead_lines) > 0


def test_presplit_needs_languages_and_utf8(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["align", write(tmp_path / "a.ru", RU), write(tmp_path / "a.en", EN), "--presplit"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and "give the language" in result.output
    binary = tmp_path / "b.ru"
    binary.write_bytes(bytes(range(256)) * 8)
    result = runner.invoke(main, ["align", str(binary), str(tmp_path / "a.en"), "--presplit",
                                  "--src-lang", "ru", "--tgt-lang", "en"])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert str(binary) in result.output and "Traceback" not in result.output


def test_mt_alone_without_a_translation_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, presplit(tmp_path) + ["--signals", "mt"])
    assert result.exit_code == 2, result.output
    assert ("no signal to align with: mt needs a translation of the source; "
            "give --translation FILE") in result.output


def test_beads_and_tsv_files_carry_their_signature_beside_them(tmp_path: Path) -> None:
    for fmt in ("beads", "tsv"):
        out = tmp_path / f"out.{fmt}"
        result = CliRunner().invoke(main, presplit(tmp_path) + ["--format", fmt, "-o", str(out),
                                                               "--no-anchors", "--quiet"])
        assert result.exit_code == 0, result.output
        signature = json.loads((tmp_path / "out.signature.json").read_text(encoding="utf-8"))
        assert signature["signals"] == "embedding,mt,length,continuation"
        assert signature["stage"] == "align" and signature["aligner"]
        (tmp_path / "out.signature.json").unlink()


def test_options_of_a_signal_switched_off_are_usage_errors(tmp_path: Path) -> None:
    for options, named in ((["--signals", "length,anchors", "--embedding-weight", "2"],
                            "--embedding-weight"),
                           (["--no-anchors", "--anchors-weight", "0.5", "--embedding-margin",
                             "1.0"], "--anchors-weight")):
        result = CliRunner().invoke(main, presplit(tmp_path) + options)
        assert result.exit_code == 2, result.output
        signal = named[2:].split("-")[0]
        assert result.stderr == (f"Error: {named}: the {signal} signal is off (see --signals "
                                 f"and --no-{signal}); drop the option or switch the signal "
                                 "on\n")


def test_language_codes_in_capitals_are_read_and_regions_are_explained(tmp_path: Path) -> None:
    args = presplit(tmp_path)
    capitals = [arg.upper() if arg in ("ru", "en") else arg for arg in args]
    result = CliRunner().invoke(main, capitals)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "[0]:[0]"
    for command in (capitals[:3] + ["--src-lang", "ru-RU"],
                    ["pair", args[1], "--tgt-lang", "en_GB"],
                    ["run", args[1], "-o", str(tmp_path / "out"), "--src-lang", "ru-RU"],
                    ["translate", args[1], "--src-lang", "ru-RU"]):
        result = CliRunner().invoke(main, command)
        option, code = command[-2], command[-1]
        assert result.exit_code == 2, result.output
        assert result.stderr == (f"Error: {option} {code!r}: give the language alone, e.g. "
                                 f"{code[:2].lower()} (TMX locale codes: aligner tmx convert "
                                 "or merge --locale-style region)\n")
    assert not (tmp_path / "out").exists()

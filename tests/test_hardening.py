"""Issue 13: no silent data loss, no traceback, bounded memory on careless or hostile input.

Each test reproduces one way a careless or hostile user broke the toolkit (see the issue's
numbered items); the item number is in the test's docstring.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from argos_fixture import tiny_package_archive, use_package_dir
from click.testing import CliRunner
from hostile_support import ROOT, cli, one_line_error
from run_support import run_cli
from tmx_support import tmx_text, tu_xml

import tmx
from aligner.cli import main
from aligner.records import DocPair

CORPUS = ROOT / "corpus"
SRC, TGT = "000_63edd8b27567c1c6", "002_1775d5543770e237"


def invoke(*args: object):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def assert_one_line_error(result, codes=(1, 2)) -> str:
    assert result.exit_code in codes, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


@pytest.fixture(autouse=True)
def no_installed_models(tmp_path, monkeypatch):
    use_package_dir(monkeypatch, tmp_path / "argos-packages")


@pytest.fixture
def pair_folder(tmp_path) -> Path:
    """The seed corpus's one parallel pair, alone in a folder."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (SRC, TGT):
        shutil.copy(CORPUS / f"{name}.txt", folder)
    return folder


def presplit_pair(tmp_path: Path) -> tuple[Path, Path]:
    src, tgt = tmp_path / "a.ru", tmp_path / "b.en"
    src.write_text("Президент провёл встречу.\nОни обсудили торговлю.\n", encoding="utf-8")
    tgt.write_text("The president held a meeting.\nThey discussed trade.\n", encoding="utf-8")
    return src, tgt


# ---------------------------------------------------------------- 1. output names

@pytest.mark.parametrize("first,second", [
    (("a__b", "c"), ("a", "b__c")),
    (("a_", "b"), ("a", "_b")),
    (("x" * 200, "y"), ("x" * 200, "z")),
])
def test_per_pair_names_never_collide(first, second):
    """Item 1: ``a__b`` + ``c`` and ``a`` + ``b__c`` must not share files."""
    from aligner.outfolder import pair_files, pair_key

    keys = [pair_key(DocPair(*ids, "parallel", 0.9)) for ids in (first, second)]
    assert keys[0] != keys[1]
    for key in keys:
        assert "/" not in key and len(key.encode("utf-8")) + len(".jsonl") <= 255
    assert pair_files(keys[0]) != pair_files(keys[1])


def test_plain_pair_names_stay_readable():
    from aligner.outfolder import pair_key

    assert pair_key(DocPair("000_a", "002_b", "parallel", 0.9)) == "000_a__002_b"


# ---------------------------------------------------------------- 2. deep HTML

def test_html_nested_deeper_than_256_keeps_every_paragraph(tmp_path):
    """Item 2: 400 unclosed ``<font>`` paragraphs ingest as 400, not 254."""
    from aligner.ingest import read_document

    page = "<html><body>" + "".join(f"<font size=2>Paragraph {n}. It reports news.<br>"
                                    for n in range(400)) + "</body></html>"
    path = tmp_path / "deep.html"
    path.write_text(page, encoding="utf-8")
    texts = [paragraph.text for paragraph in read_document(path, "en").paragraphs]
    assert texts == [f"Paragraph {n}. It reports news." for n in range(400)]


def test_deeply_nested_blocks_keep_their_text():
    from aligner.ingest.html import html_to_text

    page = "<html><body>" + "<div>deep " * 600 + "bottom" + "</div>" * 600 + "</body></html>"
    text = html_to_text(page)
    assert text.count("deep") == 600 and "bottom" in text


# ---------------------------------------------------------------- 3. folder lock

def test_a_second_run_into_a_busy_folder_is_refused(pair_folder, tmp_path):
    """Item 3: while one run writes OUT, another run into OUT fails at once, touching nothing."""
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from aligner.outfolder import output_lock
            with output_lock(Path({str(out)!r})):
                print("locked", flush=True)
                time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout.readline().strip() == "locked"
        (out / "marker").write_text("first run's", encoding="utf-8")
        result = run_cli(pair_folder, "-o", out, "--no-mt", "--quiet")
        message = assert_one_line_error(result, (1,))
        assert "another aligner run" in message and str(out) in message
        assert (out / "marker").read_text(encoding="utf-8") == "first run's"
    finally:
        holder.kill()
        holder.wait()


def test_a_refused_resume_leaves_no_folder_behind(pair_folder, tmp_path):
    """Item 3: the lock is taken in OUT, but a run that fails at once does not leave OUT."""
    result = run_cli(pair_folder, "-o", tmp_path / "new", "--resume", "--no-mt")
    assert "nothing to resume" in assert_one_line_error(result, (1,))
    assert not (tmp_path / "new").exists()


def test_a_lock_left_by_a_dead_run_does_not_block(pair_folder, tmp_path):
    """Item 3: the lock dies with its process; a leftover lock file is no obstacle."""
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import os
        from pathlib import Path
        from aligner.outfolder import output_lock
        with output_lock(Path({str(out)!r})):
            os._exit(9)
    """)], env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    result = run_cli(pair_folder, "-o", out, "--no-mt", "--quiet")
    assert result.exit_code == 0, result.output


def test_a_folder_mixed_by_two_runs_is_redone_not_a_key_error(pair_folder, tmp_path):
    """Item 3: outputs of another run in the folder (documents.jsonl) are never reused."""
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(CORPUS / "003_69a9eb7133609d45.txt", other)
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    assert run_cli(pair_folder, "-o", out, "--no-mt", "--quiet").exit_code == 0
    assert run_cli(other, "-o", elsewhere, "--no-mt", "--quiet").exit_code == 1  # no pairs
    shutil.copy(elsewhere / "documents.jsonl", out / "documents.jsonl")
    result = run_cli(pair_folder, "-o", out, "--no-mt", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["parallel_pairs"] == 1


# ---------------------------------------------------------------- 4. -o over an input

def test_output_equal_to_an_input_is_refused(tmp_path):
    """Item 4: ``-o`` naming an input file never overwrites it."""
    src, tgt = presplit_pair(tmp_path)
    before = src.read_bytes()
    for args in (["ingest", src, "-o", src],
                 ["align", src, tgt, "--presplit", "--src-lang", "ru", "--tgt-lang", "en",
                  "-o", src]):
        message = assert_one_line_error(invoke(*args), (2,))
        assert "is also an input" in message
        assert src.read_bytes() == before
    out = tmp_path / "out.tmx"
    tmx.write_tmx(out, [tmx.TmxUnit("Да.", "Yes.", "ru", "en")], tmx.TmxHeader(srclang="ru"))
    tm = out.read_bytes()
    for args in (["tmx", "convert", out, "--to", "tsv", "-o", out],
                 ["tmx", "merge", out, out, "-o", out],
                 ["tmx", "filter", out, "-o", out]):
        assert "is also an input" in assert_one_line_error(invoke(*args), (2,))
        assert out.read_bytes() == tm


def test_moses_output_over_its_input_is_refused(tmp_path):
    """Item 4: the files ``--to moses`` writes (PREFIX.LANG) never overwrite the input."""
    tm = tmp_path / "c.en"
    tmx.write_tmx(tm, [tmx.TmxUnit("Да.", "Yes.", "ru", "en")], tmx.TmxHeader(srclang="ru"))
    before = tm.read_bytes()
    message = assert_one_line_error(invoke("tmx", "convert", tm, "--to", "moses",
                                           "-o", tmp_path / "c"), (1,))
    assert "would write over this input" in message
    assert tm.read_bytes() == before and not (tmp_path / "c.ru").exists()


def test_review_of_a_file_of_non_objects_is_a_one_line_error(tmp_path):
    path = tmp_path / "pair.jsonl"
    path.write_text("[1]\n", encoding="utf-8")
    assert "not JSON Lines of objects" in assert_one_line_error(
        invoke("review", path, "--no-browser"), (1,))


def test_alignment_files_over_the_cap_are_refused_by_score_and_review(tmp_path, monkeypatch):
    """Every reader of alignment files goes through the one capped reader."""
    from aligner import beadfile
    from aligner.io import write_jsonl
    from aligner.records import Alignment, Bead

    path = tmp_path / "pair.jsonl"
    alignment = Alignment("a", "b", "ru", "en", ("Да.",), ("Yes.",), (Bead((0,), (0,)),))
    write_jsonl(path, beadfile.alignment_lines(alignment))
    monkeypatch.setattr(beadfile, "MAX_ALIGNMENT_BYTES", path.stat().st_size - 1)
    for args in (["score", path, "--translation", path], ["review", path, "--no-browser"]):
        message = assert_one_line_error(invoke(*args), (1,))
        assert str(path) in message and "limit" in message
    monkeypatch.setattr(beadfile, "MAX_ALIGNMENT_BYTES", path.stat().st_size)
    assert beadfile.read_alignments(path) == [alignment]


def test_ingest_output_inside_an_input_folder_is_refused(tmp_path):
    src, _ = presplit_pair(tmp_path)
    assert "is also an input" in assert_one_line_error(
        invoke("ingest", tmp_path, "-o", src), (2,))


# ---------------------------------------------------------------- 5. --resume

def test_resume_redoes_a_corrupt_pair_tmx(pair_folder, tmp_path):
    """Item 5: a damaged per-pair TMX left in the folder is redone, not reused."""
    out = tmp_path / "out"
    assert run_cli(pair_folder, "-o", out, "--no-mt", "--quiet").exit_code == 0
    pair_tmx = next((out / "tmx").iterdir())
    good = pair_tmx.read_bytes()
    pair_tmx.write_bytes(good[: len(good) // 2])
    result = run_cli(pair_folder, "-o", out, "--no-mt", "--quiet", "--resume", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reused_pairs"] == 0
    assert tmx.validate(pair_tmx).ok


def test_resume_redoes_a_pair_tmx_changed_since_written(pair_folder, tmp_path):
    """A per-pair TMX that still reads but is not the one the run wrote is redone too: the
    run state holds the digest of each pair's TMX as written."""
    out = tmp_path / "out"
    assert run_cli(pair_folder, "-o", out, "--no-mt", "--quiet").exit_code == 0
    pair_tmx = next((out / "tmx").iterdir())
    edited = re.sub(rb'creationdate="[0-9TZ]+"', b'creationdate="20000101T000000Z"',
                    pair_tmx.read_bytes(), count=1)
    pair_tmx.write_bytes(edited)
    assert tmx.validate(pair_tmx).ok
    result = run_cli(pair_folder, "-o", out, "--no-mt", "--quiet", "--resume", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reused_pairs"] == 0
    assert pair_tmx.read_bytes() != edited
    result = run_cli(pair_folder, "-o", out, "--no-mt", "--quiet", "--resume", "--json")
    assert json.loads(result.stdout)["reused_pairs"] == 1


# ---------------------------------------------------------------- 6. odd names

def test_names_with_tab_and_newline_keep_pairs_tsv_valid(pair_folder, tmp_path):
    """Item 6: a tab or newline in a file name cannot break ``pairs.tsv``'s rows."""
    (pair_folder / f"{SRC}.txt").rename(pair_folder / "ru\tnews\nfile.txt")
    out = tmp_path / "out"
    assert run_cli(pair_folder, "-o", out, "--no-mt", "--quiet").exit_code == 0
    rows = [line.split("\t") for line in
            (out / "pairs.tsv").read_text(encoding="utf-8").splitlines()]
    assert all(len(row) == len(rows[0]) for row in rows)
    parallel = [row for row in rows if row[2] == "parallel"]
    assert len(parallel) == 1 and "\\t" in parallel[0][0] and "\\n" in parallel[0][0]


def test_an_unreadable_subfolder_is_listed_among_the_skipped(tmp_path):
    """Item 6: a chmod-000 subfolder is named in the skipped files, not passed over."""
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "hidden.txt").write_text("Текст новости. Второе предложение.\n",
                                                  encoding="utf-8")
    (folder / "ok.txt").write_text("Первое предложение новости. Второе предложение.\n",
                                   encoding="utf-8")
    (folder / "locked").chmod(0)
    try:
        result = cli("ingest", folder, "-o", tmp_path / "docs.jsonl", "--json",
                     unprivileged=True)
    finally:
        (folder / "locked").chmod(0o755)
    assert result.returncode == 0, result.stderr
    skipped = json.loads(result.stdout)["skipped"]
    assert [item["path"] for item in skipped] == [str(folder / "locked")]
    assert "cannot read the folder" in skipped[0]["reason"]


# ---------------------------------------------------------------- 7. writer and reader agree

def test_what_the_writer_writes_the_reader_reads(tmp_path):
    """Item 7: a segment over the reader's limit is left out of the TMX, counted and named."""
    from tmx.parse import MAX_SEGMENT_BYTES
    from tmx.writer import TOO_LONG

    path = tmp_path / "tm.tmx"
    huge = "Слово " * (MAX_SEGMENT_BYTES // 11 + 10)
    units = [tmx.TmxUnit("Да.", "Yes.", "ru", "en", tuid="small"),
             tmx.TmxUnit(huge, "Big.", "ru", "en", tuid="big")]
    stats = tmx.write_tmx(path, units, tmx.TmxHeader(srclang="ru"))
    assert stats.written == 1 and stats.left_out.names == {TOO_LONG: ["tuid big"]}
    assert [unit.tuid for unit in tmx.read_units(path)] == ["small"]


def test_run_names_the_units_left_out_of_its_tmx(tmp_path):
    """Item 7: ``corpus.tmx`` of a run stays readable, and the run says what it left out."""
    from tmx.parse import MAX_SEGMENT_BYTES

    from aligner.gather import write_corpus_tmx
    from aligner.records import Alignment, Bead, PairResult

    huge = "Слово " * (MAX_SEGMENT_BYTES // 11 + 10)
    alignment = Alignment("ru1", "en1", "ru", "en", ("Да.", huge), ("Yes.", "Big."),
                          (Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.9)))
    result = PairResult(DocPair("ru1", "en1", "parallel", 0.9), alignment, (False, False),
                        fingerprint="f")
    warnings: list[str] = []
    written = write_corpus_tmx(tmp_path, [result], {"stage": "run"}, "ru", warnings)
    assert written == 1 and len(list(tmx.read_units(tmp_path / "corpus.tmx"))) == 1
    assert len(warnings) == 1 and "ru1:1" in warnings[0] and "10 MB" in warnings[0]


def test_a_segment_just_under_the_limit_reads_back(tmp_path):
    from tmx.parse import MAX_SEGMENT_BYTES

    path = tmp_path / "tm.tmx"
    long_text = "a" * (MAX_SEGMENT_BYTES - 10)
    tmx.write_tmx(path, [tmx.TmxUnit(long_text, "b", "ru", "en")], tmx.TmxHeader(srclang="ru"))
    assert [len(unit.source) for unit in tmx.read_units(path)] == [len(long_text)]


# ---------------------------------------------------------------- 8. damaged caches

def test_a_truncated_embedding_cache_is_set_aside_and_rebuilt(tmp_path):
    """Item 8: ``truncate -s 1000 usem3.sqlite`` warns once and the command still works."""
    src, tgt = presplit_pair(tmp_path)
    cache = tmp_path / "cache"
    args = ("align", src, tgt, "--presplit", "--src-lang", "ru", "--tgt-lang", "en")
    env = {"ALIGNER_CACHE_DIR": str(cache)}
    assert cli(*args, env=env).returncode == 0
    databases = sorted((cache / "embeddings").glob("usem3*.sqlite"))
    assert databases
    for database in databases:
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.truncate(database, 1000)
    result = cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning")]
    assert len(warnings) == len(databases), result.stderr
    for database, warning in zip(databases, warnings):
        assert "damaged" in warning and database.name in warning
        assert any(path.name.startswith(f"{database.name}.damaged")
                   for path in database.parent.iterdir())
        with sqlite3.connect(database) as connection:
            assert connection.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] > 0


def test_a_read_only_cache_falls_back_to_no_cache(tmp_path):
    """Item 8: a cache another user made (read-only for us) is not used, with a warning."""
    src, tgt = presplit_pair(tmp_path)
    cache = tmp_path / "cache"
    args = ("align", src, tgt, "--presplit", "--src-lang", "ru", "--tgt-lang", "en")
    assert cli(*args, env={"ALIGNER_CACHE_DIR": str(cache)}).returncode == 0
    for path in cache.rglob("*"):
        path.chmod(0o555 if path.is_dir() else 0o444)
    result = cli(*args, env={"ALIGNER_CACHE_DIR": str(cache)}, unprivileged=True)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning")]
    assert warnings and all("cache" in line for line in warnings)
    assert len(warnings) <= 2  # one per cache file at most


def test_a_damaged_translation_cache_heals(tmp_path):
    """Item 8: the MT cache goes through the same opener."""
    from aligner.mt.cache import TranslationCache

    path = tmp_path / "translations.sqlite"
    path.write_bytes(b"not a database" * 100)
    with pytest.warns(UserWarning, match="damaged"):
        cache = TranslationCache(path)
        cache.put("m", {"один": "one"})
    assert cache.get("m", ["один"]) == {"один": "one"}


# ---------------------------------------------------------------- 9, 14. model packages

def _repacked(tmp_path: Path, name: str, edit=None, extra: dict[str, bytes] | None = None,
              compression=zipfile.ZIP_DEFLATED) -> Path:
    """The tiny package with its metadata edited or members added."""
    source = tiny_package_archive()
    target = tmp_path / name
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", compression) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.endswith("/metadata.json") and edit is not None:
                data = edit(json.loads(data))
            new.writestr(info.filename, data)
        top = old.namelist()[0].split("/")[0]
        for member, data in (extra or {}).items():
            new.writestr(f"{top}/{member}", data)
    return target


@pytest.mark.parametrize("edit,problem", [
    (lambda m: json.dumps({**m, "from_code": ["ru"]}).encode(), "from_code"),
    (lambda m: json.dumps(m).encode("utf-16"), "UTF-8"),
    (lambda m: json.dumps({**m, "package_version": {"x": 1}}).encode(), "package_version"),
])
def test_a_package_with_broken_metadata_is_refused_and_not_installed(tmp_path, edit, problem):
    """Item 9: checked fully before it lands; nothing is left in the package folder."""
    packages = tmp_path / "argos-packages"
    archive = _repacked(tmp_path, "bad.argosmodel", edit)
    message = assert_one_line_error(invoke("models", "install", archive), (1,))
    assert problem in message
    assert list(packages.iterdir()) == []
    assert invoke("models", "list").exit_code == 0


def test_a_broken_installed_package_is_skipped_with_a_warning(tmp_path, monkeypatch):
    """Item 9: a package broken after installation never stops ``models list`` or ``run``."""
    from aligner.mt import install_model

    packages = tmp_path / "argos-packages"
    info = install_model(tiny_package_archive())
    metadata = info.path / "metadata.json"
    metadata.write_text(json.dumps({**json.loads(metadata.read_text("utf-8")),
                                    "from_code": ["ru"]}), encoding="utf-8")
    listed = invoke("models", "list")
    assert listed.exit_code == 0 and "no models installed" in listed.stdout
    assert "Warning:" in listed.stderr and info.path.name in listed.stderr
    assert packages.is_dir()
    folder = tmp_path / "ru-only"
    folder.mkdir()
    shutil.copy(CORPUS / f"{SRC}.txt", folder)
    result = run_cli(folder, "-o", tmp_path / "out", "--json")
    assert result.exit_code == 1 and "no parallel document pairs" in result.stderr
    assert json.loads(result.stdout)["mt"]["state"] == "skipped"


def test_a_zip_bomb_is_refused(tmp_path):
    """Item 14: a small archive that expands far beyond its size is never extracted."""
    archive = _repacked(tmp_path, "bomb.argosmodel", extra={"padding.bin": bytes(64 * 2**20)})
    assert archive.stat().st_size < 2**20
    message = assert_one_line_error(invoke("models", "install", archive), (1,))
    assert "expands" in message
    assert list((tmp_path / "argos-packages").iterdir()) == []


def test_a_package_over_the_size_cap_is_refused(tmp_path, monkeypatch):
    from aligner.mt import packages

    monkeypatch.setattr(packages, "MAX_PACKAGE_BYTES", 2**20)
    archive = _repacked(tmp_path, "big.argosmodel", extra={"noise.bin": os.urandom(2 * 2**20)},
                        compression=zipfile.ZIP_STORED)
    message = assert_one_line_error(invoke("models", "install", archive), (1,))
    assert "over the" in message


def test_a_good_package_still_installs(tmp_path):
    result = invoke("models", "install", tiny_package_archive(), "--json")
    assert result.exit_code == 0, result.output
    installed = json.loads(result.stdout)
    assert Path(installed["path"]).parent == tmp_path / "argos-packages"
    assert [p.name for p in (tmp_path / "argos-packages").iterdir()] == [
        Path(installed["path"]).name]


# ---------------------------------------------------------------- 10, 11, 12. run options

def test_a_malformed_run_state_is_not_a_traceback(pair_folder, tmp_path):
    """Item 10: ``{"version":1,"stages":{"ingest":"x"}}`` in ``.aligner-run.json``."""
    out = tmp_path / "out"
    assert run_cli(pair_folder, "-o", out, "--no-mt", "--quiet").exit_code == 0
    for state in ({"version": 1, "stages": {"ingest": "x", "pair": {"fingerprint": 1}}},
                  {"version": 1, "stages": []}, {"version": 1, "options": "x"}, [1]):
        (out / ".aligner-run.json").write_text(json.dumps(state), encoding="utf-8")
        result = run_cli(pair_folder, "-o", out, "--no-mt", "--quiet")
        assert result.exit_code == 0, result.output


def test_an_output_in_a_symlink_loop_is_a_one_line_error(pair_folder, tmp_path):
    """Item 11: ``-o`` pointing into a symlink loop."""
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for args in ([pair_folder, "-o", loop / "out", "--no-mt"],):
        assert "symbolic link" in assert_one_line_error(run_cli(*args))
    result = invoke("ingest", pair_folder, "-o", loop / "docs.jsonl")
    assert_one_line_error(result)


@pytest.mark.parametrize("address", ["not a url", "http://host:8786", "tcp://host:port",
                                     "tcp://:8786"])
def test_a_malformed_dask_address_fails_at_once(pair_folder, tmp_path, address):
    """Item 12: validated before any connection attempt; a usage error."""
    started = time.monotonic()
    result = run_cli(pair_folder, "-o", tmp_path / "out", "--dask-scheduler", address)
    message = assert_one_line_error(result, (2,))
    assert "--dask-scheduler" in message and "tcp://HOST:8786" in message
    assert time.monotonic() - started < 30
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_gives_up_quickly():
    from aligner.executors import CONNECT_TIMEOUT

    assert CONNECT_TIMEOUT <= 10


# ---------------------------------------------------------------- 13. unwritable HOME

def test_an_unwritable_home_only_skips_mt(tmp_path):
    """Item 13: argostranslate cannot start (HOME unwritable): MT is skipped, the run goes on."""
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    code = ("from aligner.mt.plan import plan_mt; "
            "print(plan_mt('ru', 'en')[1].state)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(blocker / "home")}
    for name in ("ARGOS_PACKAGES_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "skipped"


# ---------------------------------------------------------------- 15. capped readers

def test_eval_on_a_huge_file_is_refused_before_reading(tmp_path):
    """Item 15: a 2 GB (sparse) bead file is refused by size, in bounded memory."""
    big = tmp_path / "big.beads"
    with open(big, "wb") as handle:
        handle.truncate(2 * 2**30)
    small = tmp_path / "gold.beads"
    small.write_text("[0]:[0]\n", encoding="utf-8")
    message = one_line_error(cli("eval", "--gold", small, "--test", big), (1,))
    assert str(big) in message and "limit" in message


@pytest.mark.parametrize("command", ["eval", "score", "align"])
def test_errors_quote_only_an_excerpt_of_a_bad_line(tmp_path, command):
    """Item 15: a 100 kB bad line is not printed whole."""
    bad = tmp_path / "bad.txt"
    bad.write_text("[0]:[" + "x" * 100_000 + "\n", encoding="utf-8")
    src, tgt = presplit_pair(tmp_path)
    args = {"eval": ["eval", "--gold", bad, "--test", bad],
            "score": ["score", bad, "--translation", src],
            "align": ["align", src, tgt, "--presplit", "--src-lang", "ru", "--tgt-lang", "en",
                      "--translation", bad]}[command]
    if command == "align":
        bad.write_bytes(b"\xff" * 100_000 + b"\n")
    result = invoke(*args)
    message = assert_one_line_error(result, (1,))
    assert len(message) < 400


@pytest.mark.parametrize("command", ["score", "align"])
def test_translation_and_alignment_inputs_are_capped(tmp_path, command):
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(3 * 2**30)
    src, tgt = presplit_pair(tmp_path)
    args = {"score": ["score", big, "--translation", src],
            "align": ["align", src, tgt, "--presplit", "--src-lang", "ru", "--tgt-lang", "en",
                      "--translation", big]}[command]
    message = one_line_error(cli(*args), (1,))
    assert str(big) in message and "limit" in message


UNREADABLE = Path("/proc/self/mem")  # a file whose every read fails (EIO at offset 0)


@pytest.mark.skipif(not UNREADABLE.is_file(), reason="needs Linux's /proc/self/mem")
@pytest.mark.parametrize("command", ["align", "translation", "eval", "score", "ingest",
                                     "tmx stats", "tmx convert"])
def test_a_file_that_fails_to_read_is_named(tmp_path, command):
    """A read error carries no file name of its own: the message must add it."""
    src, tgt = presplit_pair(tmp_path)
    args = {"align": ["align", UNREADABLE, tgt],
            "translation": ["align", src, tgt, "--presplit", "--src-lang", "ru", "--tgt-lang",
                            "en", "--translation", UNREADABLE],
            "eval": ["eval", "--gold", UNREADABLE, "--test", src],
            "score": ["score", UNREADABLE, "--translation", src],
            "ingest": ["ingest", UNREADABLE],
            "tmx stats": ["tmx", "stats", UNREADABLE],
            "tmx convert": ["tmx", "convert", UNREADABLE, "--to", "tsv"]}[command]
    message = assert_one_line_error(invoke(*args), (1,))
    assert message.startswith(f"Error: {UNREADABLE}: cannot read"), message


# ---------------------------------------------------------------- 16. orphaned workers

def test_workers_exit_when_their_parent_is_killed(tmp_path):
    """Item 16: SIGKILL of the parent leaves no worker (nor resource tracker) behind."""
    pids = tmp_path / "pids"
    script = textwrap.dedent(f"""
        import time
        from aligner.executors import ProcessExecutor
        from hostile_support import record_pid_and_sleep
        executor = ProcessExecutor(2)
        list(executor.run(record_pid_and_sleep, [({str(pids)!r}, 0.0)] * 2))
        print("ready", flush=True)
        list(executor.run(record_pid_and_sleep, [({str(pids)!r}, 300.0)] * 2))
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              env={**os.environ,
                                   "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"})
    assert parent.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    workers = {int(line) for line in pids.read_text().split()}
    assert len(workers) >= 1
    workers |= _children(parent.pid)  # the resource tracker too
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    orphans = [pid for pid in workers if _alive(pid)]
    for pid in orphans:  # do not leave them to sleep on the machine
        os.kill(pid, signal.SIGKILL)
    assert not orphans


def _children(parent: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii").rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


# ---------------------------------------------------------------- small ones

def test_a_closed_pipe_is_quiet(tmp_path):
    """Small: ``aligner ... | head`` neither prints ``Error: Broken pipe`` nor fails loudly."""
    path = tmp_path / "tm.tmx"
    units = [tmx.TmxUnit(f"Строка {n}.", f"Line {n}.", "ru", "en") for n in range(20000)]
    tmx.write_tmx(path, units, tmx.TmxHeader(srclang="ru"))
    command = (f"{sys.executable} -m aligner tmx convert {path} --to tsv | head -1")
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.stdout.startswith("Строка 0.")
    assert result.stderr == ""
    assert result.returncode in (0, 141)


def test_an_interrupt_exits_130(monkeypatch, tmp_path, pair_folder):
    """Small: SIGINT (KeyboardInterrupt) exits 130, as shells expect, not 1."""
    import aligner.api as api_module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(api_module, "run_pipeline", interrupted)
    result = run_cli(pair_folder, "-o", tmp_path / "out")
    assert result.exit_code == 130


def test_sigint_of_a_real_command_exits_130(tmp_path):
    """Small: Ctrl-C while ``eval`` waits for its input (a pipe nobody writes yet)."""
    fifo = tmp_path / "gold.beads"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [sys.executable, "-m", "aligner", "eval", "--gold", fifo, "--test", fifo],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    with open(fifo, "w", encoding="utf-8"):  # returns once eval has opened the pipe
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            # The signal came between eval's open and its read: CPython only notices it when
            # a blocking read returns, so it is pressed again, as a user would.
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["Interrupted"]


def test_a_too_deep_tmx_is_not_called_too_large(tmp_path):
    """Small: nesting over libxml2's depth limit is reported as such, not as 'over 10 MB'."""
    path = tmp_path / "deep.tmx"
    path.write_text('<?xml version="1.0"?><tmx version="1.4"><header srclang="ru"/><body><tu>'
                    + "<tuv xml:lang='ru'><seg>" + "<bpt i='1'>" * 300 + "x"
                    + "</bpt>" * 300 + "</seg></tuv></tu></body></tmx>", encoding="utf-8")
    result = invoke("tmx", "validate", path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "10 MB" not in result.output and "nested deeper than" in result.output


def test_align_format_tmx_without_output_fails_before_aligning(tmp_path, monkeypatch):
    """Small: the usage error comes before the (long) alignment."""
    import aligner.api

    def never(*args, **kwargs):
        raise AssertionError("aligned before checking the options")

    monkeypatch.setattr(aligner.api, "align_documents", never)
    src, tgt = presplit_pair(tmp_path)
    result = invoke("align", src, tgt, "--presplit", "--src-lang", "ru", "--tgt-lang", "en",
                    "--format", "tmx")
    assert result.exit_code == 2 and "--format tmx needs an output file" in result.stderr


def test_pair_reads_ingest_output_with_a_cap(tmp_path):
    """Item 15: ``aligner pair docs.jsonl`` refuses a huge file before reading it."""
    big = tmp_path / "docs.jsonl"
    with open(big, "wb") as handle:
        handle.truncate(3 * 2**30)
    message = one_line_error(cli("pair", big), (1,))
    assert str(big) in message and "limit" in message


def test_a_read_only_output_folder_is_named_not_a_temporary_file(tmp_path):
    corpus = ROOT / "corpus"
    memory = tmp_path / "in.tmx"
    memory.write_text(tmx_text(tu_xml(src="Да.", tgt="Yes.")), encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for command in (["ingest", corpus / "000_63edd8b27567c1c6.txt"],
                        ["tmx", "merge", memory]):
            result = cli(*command, "-o", locked / "out", unprivileged=True)
            message = one_line_error(result, (1,))
            assert message == f"Error: {locked / 'out'}: cannot write it (Permission denied)"
    finally:
        locked.chmod(0o755)
    assert list(locked.iterdir()) == []

"""Real consumers read our TMX: OmegaT (a CAT tool, headless) and translate-toolkit.

The TMX comes from a real alignment of the seed pair 000 (ru) / 002 (en): ingest, align,
export. OmegaT runs in console mode with the TMX in ``tm/auto/`` (as
``shared/tmx/omegat_check.sh`` does) and must pre-translate every source segment from it.
Without OmegaT the test is skipped with the reason, except under ``CI=true``, where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aligner.export import write_alignment_tmx
from aligner.records import Alignment
from tmx import TmxUnit, read_units, validate

OMEGAT_JAR = Path(os.environ.get("OMEGAT_JAR", "/usr/share/omegat/OmegaT.jar"))
TOKENIZERS = {"ru": "org.omegat.tokenizer.LuceneRussianTokenizer",
              "en": "org.omegat.tokenizer.LuceneEnglishTokenizer"}
PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>ru</source_lang>
    <target_lang>en</target_lang>
    <source_tok>{ru}</source_tok>
    <target_tok>{en}</target_tok>
    <sentence_seg>false</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
"""


def require_omegat() -> None:
    """Skip (or, under CI=true, fail) when OmegaT or Java is missing."""
    missing = [what for what, ok in (("OmegaT", OMEGAT_JAR.is_file()),
                                     ("java", shutil.which("java") is not None)) if not ok]
    if missing:
        reason = (f"{' and '.join(missing)} not installed ({OMEGAT_JAR}): "
                  "apt-get install -y omegat (scripts/install.sh --dev does)")
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


def omegat_pretranslate(work: Path, tmx_files: list[Path],
                        sources: list[str]) -> tuple[list[str], str]:
    """Run OmegaT headless, ru->en, ``tmx_files`` in tm/auto/; return target lines and log."""
    project, config = work / "project", work / "config"
    for folder in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (project / folder).mkdir(parents=True)
    config.mkdir()
    (project / "omegat.project").write_text(PROJECT.format(**TOKENIZERS), encoding="utf-8")
    for tmx_file in tmx_files:
        shutil.copy(tmx_file, project / "tm" / "auto" / tmx_file.name)
    # An empty line after each line: OmegaT's text filter then makes every line one segment.
    (project / "source" / "input.txt").write_text("".join(f"{line}\n\n" for line in sources),
                                                  encoding="utf-8")
    completed = subprocess.run(
        ["java", "-Djava.awt.headless=true", "-Duser.language=en", "-jar", str(OMEGAT_JAR),
         str(project), "--mode=console-translate", f"--config-dir={config}",
         "--disable-project-locking", "--no-team"],
        capture_output=True, text=True, timeout=300, check=False)
    log = completed.stdout + completed.stderr
    target = project / "target" / "input.txt"
    assert completed.returncode == 0 and target.is_file(), log[-3000:]
    return [line for line in target.read_text(encoding="utf-8").splitlines() if line], log


@pytest.fixture(scope="module")
def seed_alignment() -> Alignment:
    """The real pipeline on the seed pair: ingest both files, align them."""
    from aligner.align import align_documents
    from aligner.ingest import read_document

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    russian = read_document(next(corpus.glob("000_*.txt")))
    english = read_document(next(corpus.glob("002_*.txt")))
    return align_documents(russian, english)


@pytest.fixture(scope="module")
def seed_tmx(seed_alignment: Alignment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seed.tmx"
    stats = write_alignment_tmx(path, [seed_alignment])
    assert stats.written >= 10
    assert validate(path).issues == []
    return path


def _last_target_per_source(units: list[TmxUnit]) -> dict[str, str]:
    """What OmegaT's tm/auto applies: for a repeated source, the last unit's target."""
    return {unit.source: unit.target for unit in units}


@pytest.mark.slow
@pytest.mark.omegat
def test_omegat_applies_every_unit_as_a_100_percent_match(seed_tmx: Path, tmp_path: Path) -> None:
    require_omegat()
    units = list(read_units(seed_tmx))
    assert all("\n" not in unit.source + unit.target for unit in units)
    expected = _last_target_per_source(units)
    targets, log = omegat_pretranslate(tmp_path, [seed_tmx], list(expected))
    assert "TF_TM_LOAD_ERROR" not in log and "Failed to load" not in log, log[-3000:]
    assert targets == list(expected.values())


@pytest.mark.slow
@pytest.mark.omegat
def test_omegat_rejection_of_broken_files_is_detected_from_its_log(
        seed_tmx: Path, tmp_path: Path) -> None:
    require_omegat()
    text = seed_tmx.read_text(encoding="utf-8")
    broken = {"no_srclang.tmx": text.replace(' srclang="ru"', "", 1),
              "truncated.tmx": text[: len(text) // 2]}
    paths = []
    for name, content in broken.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        assert not validate(path).ok, name
        paths.append(path)
    sources = list(_last_target_per_source(list(read_units(seed_tmx))))
    targets, log = omegat_pretranslate(tmp_path / "omegat", paths, sources)
    # OmegaT exits 0 (checked in omegat_pretranslate): the rejection is only in its log.
    for name in broken:
        assert "Failed to load translation memory" in log and f"tm/auto/{name}" in log, name
    assert "TF_TM_LOAD_ERROR" in log
    assert targets == sources  # nothing applied


def test_missing_omegat_skips_but_fails_under_ci(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setattr(sys.modules[__name__], "OMEGAT_JAR", tmp_path / "no-OmegaT.jar")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="OmegaT not installed"):
        require_omegat()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but OmegaT not installed"):
        require_omegat()


@pytest.mark.slow
def test_translate_toolkit_reads_the_same_units(seed_tmx: Path) -> None:
    from translate.storage.tmx import tmxfile

    with open(seed_tmx, "rb") as handle:
        store = tmxfile(handle)
    ours = list(read_units(seed_tmx))
    theirs = [unit for unit in store.units if unit.source]
    assert store.sourcelanguage == "ru"
    assert [(u.source, u.target, u.getid()) for u in theirs] == [
        (u.source, u.target, u.tuid) for u in ours]


def test_translate_toolkit_reads_hard_text(tmp_path: Path) -> None:
    from tmx_support import write
    from translate.storage.tmx import tmxfile

    units = [TmxUnit("Это «ёлочки» & <теги> ]]> \U0001f600", "Quotes & <tags> ]]> \u202eRTL",
                     "ru", "en", notes=("a note",), tuid="h:1")]
    path = tmp_path / "hard.tmx"
    write(path, units)
    with open(path, "rb") as handle:
        [unit] = tmxfile(handle).units
    assert (unit.source, unit.target, unit.getnotes()) == (units[0].source, units[0].target,
                                                           "a note")

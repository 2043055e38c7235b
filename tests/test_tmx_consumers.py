"""Real consumers read our TMX: OmegaT (a CAT tool, headless) and translate-toolkit.

The TMX comes from a real alignment of the seed pair 000 (ru) / 002 (en): ingest, align,
export. OmegaT runs in console mode with the TMX in ``tm/auto/`` (as
``shared/tmx/omegat_check.sh`` does) and must pre-translate every source segment from it.
Without OmegaT the test is skipped with the reason, except under ``CI=true``, where it fails.
"""

from __future__ import annotations

from pathlib import Path

import omegat_support
import pytest
from omegat_support import omegat_pretranslate, require_omegat

from aligner.export import write_alignment_tmx
from aligner.records import Alignment
from tmx import TmxUnit, read_units, validate


@pytest.fixture(scope="module")
def seed_alignment() -> Alignment:
    """The real pipeline on the seed pair: ingest both files, align them."""
    from aligner.alignment import align_documents
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
    monkeypatch.setattr(omegat_support, "OMEGAT_JAR", tmp_path / "no-OmegaT.jar")
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

"""OmegaT, the real CAT tool of the TMX import tests, run headless (not a test module itself).

A temporary project gets the TMX files in ``tm/auto/`` (as ``shared/tmx/omegat_check.sh``
does) and one source segment per line; OmegaT pre-translates what the memories match exactly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

OMEGAT_JAR = Path(os.environ.get("OMEGAT_JAR", "/usr/share/omegat/OmegaT.jar"))
TOKENIZERS = {"ru": "org.omegat.tokenizer.LuceneRussianTokenizer",
              "en": "org.omegat.tokenizer.LuceneEnglishTokenizer"}
DEFAULT_TOKENIZER = "org.omegat.tokenizer.DefaultTokenizer"
PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>{src_lang}</source_lang>
    <target_lang>{tgt_lang}</target_lang>
    <source_tok>{src_tok}</source_tok>
    <target_tok>{tgt_tok}</target_tok>
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


def _tokenizer(lang: str) -> str:
    return TOKENIZERS.get(lang.split("-")[0].lower(), DEFAULT_TOKENIZER)


def omegat_pretranslate(work: Path, tmx_files: list[Path], sources: list[str],
                        src_lang: str = "ru", tgt_lang: str = "en") -> tuple[list[str], str]:
    """Run OmegaT headless, ``src_lang`` -> ``tgt_lang``, ``tmx_files`` in tm/auto/; return the
    target lines and the log."""
    project, config = work / "project", work / "config"
    for folder in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (project / folder).mkdir(parents=True)
    config.mkdir()
    (project / "omegat.project").write_text(PROJECT.format(
        src_lang=src_lang, tgt_lang=tgt_lang, src_tok=_tokenizer(src_lang),
        tgt_tok=_tokenizer(tgt_lang)), encoding="utf-8")
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

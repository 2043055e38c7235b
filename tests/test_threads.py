"""Thread control: one BLAS thread per process by default, ``--threads N`` changes no output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from argos_fixture import tiny_package_archive, use_package_dir
from run_support import output_bytes, run_cli, seed_pair_with_tiny_model

from aligner.errors import ConfigurationError
from aligner.threads import blas_threads, thread_count, use_threads

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SRC, TGT = "000_63edd8b27567c1c6", "002_1775d5543770e237"


@pytest.fixture
def restore_threads():
    """Tests that change this process's thread budget put the default back."""
    yield
    use_threads(1)


def test_the_encoder_leaves_blas_one_thread_in_a_new_process():
    code = ("import numpy; from threadpoolctl import threadpool_limits;"
            "threadpool_limits(2, user_api='blas');"  # as an unconfigured BLAS on 2+ cores
            "from aligner.embed import get_encoder; from aligner.threads import blas_threads;"
            "get_encoder(); print(blas_threads())")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True)
    assert completed.stdout.strip() == "1"


def test_use_threads_sets_blas_and_the_budget(restore_threads):
    use_threads(2)
    assert (blas_threads(), thread_count()) == (2, 2)
    use_threads(1)
    assert (blas_threads(), thread_count()) == (1, 1)
    with pytest.raises(ConfigurationError, match="--threads must be at least 1, not 0"):
        use_threads(0)


def test_translator_gives_ctranslate2_the_budget(tmp_path, monkeypatch, restore_threads):
    import ctranslate2

    from aligner.mt import install_model, load_translator

    use_package_dir(monkeypatch, tmp_path / "argos")
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path / "cache"))
    install_model(tiny_package_archive())
    settings = []
    engine = ctranslate2.Translator

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        settings.append((kwargs["intra_threads"], kwargs["inter_threads"]))
        return engine(*args, **kwargs)

    monkeypatch.setattr(ctranslate2, "Translator", recording)
    use_threads(2)
    load_translator("ru", "en").translate(["Привет, мир."])
    load_translator("ru", "en", threads=3, use_cache=False).translate(["Привет, мир."])
    assert settings == [(2, 1), (3, 1)]


def test_threads_option_is_checked(tmp_path):
    result = run_cli(CORPUS, "-o", tmp_path / "out", "--threads", "0")
    assert result.exit_code == 2
    assert "Invalid value for '--threads'" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_outputs_do_not_depend_on_threads(tmp_path, monkeypatch, restore_threads):
    """BLAS and CTranslate2 with one and with two threads, each from an empty cache."""
    corpus = seed_pair_with_tiny_model(tmp_path, monkeypatch)
    for threads in ("1", "2"):
        monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path / f"cache{threads}"))
        result = run_cli(corpus, "-o", tmp_path / f"out{threads}", "--threads", threads,
                         "--quiet")
        assert result.exit_code == 0, result.output
    assert output_bytes(tmp_path / "out2") == output_bytes(tmp_path / "out1")

"""Argos packages, batched CTranslate2 translation and the translation cache, on a tiny model."""

from __future__ import annotations

import http.server
import json
import multiprocessing
import socket
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligner.cli import main
from aligner.errors import ConfigurationError, InputError, ModelError
from aligner.mt import (ArgosTranslator, DecodingOptions, TranslationCache, install_model,
                        list_models, load_translator, read_translation_file)
from argos_fixture import TEST_MAX_LENGTH, no_network, tiny_package_archive, use_package_dir

SOURCES = ["Президент подписал закон о бюджете.", "", "Цены на нефть выросли.",
           "Президент подписал закон о бюджете.", "Учёные открыли новый вид рыб."]


@pytest.fixture
def argos_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty, private argostranslate package folder."""
    return use_package_dir(monkeypatch, tmp_path / "argos-packages")


@pytest.fixture
def installed(argos_dir: Path):
    """The tiny ru->en package, installed into the private folder."""
    return install_model(tiny_package_archive())


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def assert_one_line_error(result, *fragments: str, exit_code: int = 1) -> None:
    assert result.exit_code == exit_code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_network_guard_catches_a_connection():
    with pytest.raises(AssertionError, match="network accessed"):
        with no_network():
            try:
                socket.create_connection(("127.0.0.1", 9), timeout=1)
            except Exception:  # noqa: BLE001 - the guard must catch even swallowed attempts
                pass


def test_install_list_and_translate_on_the_cli_offline(argos_dir: Path, tmp_path: Path):
    source = tmp_path / "doc.ru"
    source.write_text("\n".join(SOURCES) + "\n", encoding="utf-8")
    out = tmp_path / "doc.mt.en"
    with no_network():
        installed = run_cli("models", "install", str(tiny_package_archive()))
        listed = run_cli("models", "list", "--json")
        translated = run_cli("translate", str(source), "-o", str(out), "--max-length",
                             str(TEST_MAX_LENGTH), "--beam-size", "2", "--threads", "1",
                             "--json")
    assert installed.exit_code == 0 and "translate-ru_en" in installed.output
    [model] = json.loads(listed.output)
    assert (model["id"], model["src_lang"], model["tgt_lang"], model["version"]) == \
        ("translate-ru_en", "ru", "en", "1.0")
    assert model["size_bytes"] > 0 and Path(model["path"]).parent == argos_dir
    assert translated.exit_code == 0, translated.output
    summary = json.loads(translated.output)
    assert (summary["lines"], summary["distinct"], summary["translated"]) == (5, 3, 3)
    assert summary["signature"]["beam_size"] == "2"
    lines = out.read_text(encoding="utf-8").split("\n")
    assert len(lines) == len(SOURCES) + 1 and lines[-1] == ""
    assert lines[1] == "" and lines[0] == lines[3] and all(lines[i] for i in (0, 2, 4))


def test_copy_model_translates_each_sentence_into_itself_batched_or_not(argos_dir: Path,
                                                                      tmp_path: Path):
    """The benchmark's copy model stops at end-of-sentence, so each sentence decodes its own
    length; beam search, batched or one sentence per batch, gives the same outputs."""
    from synthetic_mt import build_argos_package

    sentences = [text for text in SOURCES if text] + ["Президент подписал закон."]
    model = install_model(build_argos_package(tmp_path / "build", copy=True))
    with no_network():
        batched = ArgosTranslator(model, threads=1, use_cache=False,
                                  options=DecodingOptions(beam_size=4))
        one_by_one = ArgosTranslator(model, threads=1, use_cache=False, max_batch_size=1,
                                     options=DecodingOptions(beam_size=4))
        outputs = batched.translate(sentences)
        assert outputs == sentences
        assert [one_by_one.translate([text])[0] for text in sentences] == outputs


def test_argostranslate_sees_what_we_install(installed):
    from argostranslate import package

    [found] = package.get_installed_packages()
    assert (found.from_code, found.to_code, found.package_path) == ("ru", "en", installed.path)
    assert list_models() == [installed]


def test_translator_runs_in_batches_and_is_deterministic(installed):
    with no_network():
        cached = load_translator("ru", "en", max_decoding_length=TEST_MAX_LENGTH)
        first = cached.translate(SOURCES)
        fresh = load_translator("ru", "en", max_decoding_length=TEST_MAX_LENGTH,
                                max_batch_size=2, use_cache=False).translate(SOURCES)
    assert first == fresh
    assert len(first) == len(SOURCES) and first[1] == "" and first[0] == first[3]
    assert first[0] != first[2]
    assert cached.model_id == "translate-ru_en" and cached.stats.translated == 3


def test_second_run_does_no_model_work(installed, monkeypatch: pytest.MonkeyPatch):
    first = load_translator("ru", "en", max_decoding_length=TEST_MAX_LENGTH)
    expected = first.translate(SOURCES)
    import ctranslate2

    def refuse(*args, **kwargs):
        raise AssertionError("the model was loaded although every sentence was cached")

    monkeypatch.setattr(ctranslate2, "Translator", refuse)
    again = load_translator("ru", "en", max_decoding_length=TEST_MAX_LENGTH)
    assert again.translate(SOURCES) == expected
    assert (again.stats.from_cache, again.stats.translated, again.loaded) == (3, 0, False)
    other_beam = load_translator("ru", "en", max_decoding_length=TEST_MAX_LENGTH, beam_size=3)
    with pytest.raises(AssertionError, match="model was loaded"):
        other_beam.translate(SOURCES[:1])  # another beam size is another cache key


def _fill_cache(path: str, worker: int) -> None:
    cache = TranslationCache(path)
    for batch in range(5):
        cache.put("m", {f"w{worker}-{batch}-{i}": f"t{i}" for i in range(40)})


def test_cache_is_shared_safely_between_processes(tmp_path: Path):
    path = str(tmp_path / "mt.sqlite")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_fill_cache, args=(path, w)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    cache = TranslationCache(path)
    assert cache.count("m") == 3 * 5 * 40
    assert cache.get("m", ["w2-4-39", "absent"]) == {"w2-4-39": "t39"}


def test_device_auto_and_cuda_fall_back_to_cpu_without_a_gpu(installed):
    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("a GPU is visible: no fallback to test")
    auto = ArgosTranslator(installed, device="auto")
    cuda = ArgosTranslator(installed, device="cuda")
    assert (auto.device, auto.fallback_reason) == ("cpu", None)
    assert cuda.device == "cpu" and "no GPU" in cuda.fallback_reason
    with pytest.raises(ConfigurationError, match="device must be one of"):
        ArgosTranslator(installed, device="tpu")


def test_corrupt_archive_is_a_one_line_error(argos_dir: Path, tmp_path: Path):
    data = tiny_package_archive().read_bytes()
    broken = tmp_path / "broken.argosmodel"
    broken.write_bytes(data[: len(data) // 2])
    assert_one_line_error(run_cli("models", "install", str(broken)), str(broken), "zip")
    flipped = bytearray(data)
    flipped[200:260] = bytes(60)  # inside the first member's compressed data: a CRC error
    broken.write_bytes(bytes(flipped))
    assert_one_line_error(run_cli("models", "install", str(broken)), str(broken))
    assert not any(argos_dir.iterdir())


def test_archive_without_metadata_is_refused(argos_dir: Path, tmp_path: Path):
    archive = tmp_path / "no-metadata.argosmodel"
    with zipfile.ZipFile(tiny_package_archive()) as source, zipfile.ZipFile(archive, "w") as out:
        for item in source.infolist():
            if not item.filename.endswith("metadata.json"):
                out.writestr(item, source.read(item))
    assert_one_line_error(run_cli("models", "install", str(archive)), "metadata.json")
    assert not any(argos_dir.iterdir())


def test_text_file_and_missing_file_are_refused(argos_dir: Path, tmp_path: Path):
    text = tmp_path / "model.argosmodel"
    text.write_text("not a model", encoding="utf-8")
    assert_one_line_error(run_cli("models", "install", str(text)), "not a zip archive")
    assert_one_line_error(run_cli("models", "install", str(tmp_path / "absent.argosmodel")),
                          "no such file", exit_code=2)
    usage = run_cli("models", "install")
    assert usage.exit_code == 2 and usage.output.strip().endswith(
        "Error: give either FILE.argosmodel or --from-index SRC TGT")


def test_missing_model_says_how_to_install(argos_dir: Path, tmp_path: Path):
    source = tmp_path / "doc.ru"
    source.write_text("Привет.\n", encoding="utf-8")
    out = tmp_path / "out.en"
    result = run_cli("translate", str(source), "-o", str(out))
    assert_one_line_error(result, "no ru->en translation model", "aligner models install")
    assert not out.exists()
    listed = run_cli("models", "list")
    assert listed.exit_code == 0 and "no models installed" in listed.output


def test_wrong_language_pair_is_refused(installed, tmp_path: Path):
    source = tmp_path / "doc.de"
    source.write_text("Hallo.\n", encoding="utf-8")
    assert_one_line_error(run_cli("translate", str(source), "--src-lang", "de"),
                          "no de->en translation model")
    assert_one_line_error(run_cli("translate", str(source), "--src-lang", "en", "--tgt-lang",
                                  "ru", "--model", "translate-ru_en"),
                          "translates ru->en, not en->ru")
    with pytest.raises(ModelError, match="no installed model named 'xx'"):
        load_translator("ru", "en", model_id="xx")


def test_translate_refuses_bad_input_without_partial_output(installed, tmp_path: Path):
    source = tmp_path / "latin1.txt"
    source.write_bytes("Caf\xe9\n".encode("latin-1"))
    out = tmp_path / "out.en"
    assert_one_line_error(run_cli("translate", str(source), "-o", str(out)), "not UTF-8")
    assert_one_line_error(run_cli("translate", str(tmp_path / "absent.txt")), "no such file",
                          exit_code=2)
    assert not out.exists()


def test_read_translation_file_checks_the_line_count(tmp_path: Path):
    path = tmp_path / "mt.en"
    path.write_text("one\ntwo\n", encoding="utf-8")
    assert read_translation_file(path, 2) == ["one", "two"]
    with pytest.raises(InputError, match="2 lines, but 3 source sentences"):
        read_translation_file(path, 3)


def test_install_from_index_offline_fails_at_once(argos_dir: Path, monkeypatch):
    from argostranslate import settings

    monkeypatch.setattr(settings, "remote_package_index", "http://127.0.0.1:9/index.json")
    result = run_cli("models", "install", "--from-index", "ru", "en", "--timeout", "2")
    assert_one_line_error(result, "cannot reach the Argos package index",
                          "aligner models install FILE")


def test_install_from_a_served_index(argos_dir: Path, tmp_path: Path, monkeypatch):
    from argostranslate import settings

    site = tmp_path / "site"
    site.mkdir()
    (site / "ru_en.argosmodel").write_bytes(tiny_package_archive().read_bytes())

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    entry = {"type": "translate", "from_code": "ru", "to_code": "en", "package_version": "1.0",
             "links": [f"{base}/ru_en.argosmodel"]}
    (site / "index.json").write_text(json.dumps([entry]), encoding="utf-8")
    monkeypatch.setattr(settings, "remote_package_index", f"{base}/index.json")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = run_cli("models", "install", "--from-index", "ru", "en", "--json")
        missing = run_cli("models", "install", "--from-index", "ru", "de")
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["id"] == "translate-ru_en"
    assert [m.id for m in list_models()] == ["translate-ru_en"]
    assert_one_line_error(missing, "lists no ru->de model")


def test_newest_version_wins_and_translators_pickle(installed, tmp_path: Path):
    import pickle

    newer = tmp_path / "newer.argosmodel"
    with zipfile.ZipFile(tiny_package_archive()) as source, zipfile.ZipFile(newer, "w") as out:
        for item in source.infolist():
            name = item.filename.replace("translate-ru_en-1_0", "translate-ru_en-1_10", 1)
            data = source.read(item)
            if name.endswith("metadata.json"):
                data = json.dumps({**json.loads(data), "package_version": "1.10"}).encode()
            out.writestr(name, data)
    install_model(newer)
    translator = load_translator("ru", "en", max_decoding_length=TEST_MAX_LENGTH)
    assert translator.model.version == "1.10"
    expected = translator.translate(SOURCES[:1])
    copy = pickle.loads(pickle.dumps(translator))
    assert not copy.loaded and copy.translate(SOURCES[:1]) == expected

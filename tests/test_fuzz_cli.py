"""Fuzzing the commands a careless or hostile user reaches first (issue 13).

``ingest``, ``align --presplit``, ``eval``, ``tmx validate`` and ``models install`` get generated
bytes, file names and archives. The only outcomes allowed: success, or a one-line ``Error:``
with exit code 1 or 2; never a traceback, never a file changed outside ``-o`` (or, for a
successful install, the package folder), and the memory of the process that ran them all
stays under a cap. The commands run in one server process (tests/cli_server.py) whose address
space is capped, so a command that reads a huge input whole fails the test instead of the
machine. Examples are few and small, so the whole file takes well under a minute.
"""

from __future__ import annotations

import functools
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from argos_fixture import tiny_package_archive
from hostile_support import ROOT, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aligner.signature import signature_path

MEMORY_LIMIT = 4 * 2**30  # address space of the server: the encoder and lxml need ~1.5 GiB
PEAK_RSS_LIMIT = 2 * 2**30
FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class CliServer:
    """The commands' process: one request, one answer (see tests/cli_server.py)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "cli_server.py"), str(MEMORY_LIMIT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)

    def ask(self, request: dict) -> dict:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, "the command server died (killed for memory?)"
        return json.loads(answer)

    def run(self, *args: object) -> dict:
        return self.ask({"args": [str(arg) for arg in args]})

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[CliServer]:
    base = tmp_path_factory.mktemp("fuzz")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ALIGNER_CACHE_DIR": str(base / "cache"),
           "ARGOS_PACKAGES_DIR": str(base / "packages"), "HOME": str(base / "home")}
    running = CliServer(env)
    running.packages = base / "packages"  # type: ignore[attr-defined]
    yield running
    peak = running.ask({"maxrss": True})["maxrss"]
    running.close()
    assert peak < PEAK_RSS_LIMIT, f"peak memory {peak / 2**20:.0f} MiB"


def check_outcome(answer: dict, before: dict[str, str], folder: Path, output: Path | None,
                  ) -> None:
    """Success, or one ``Error:`` line with exit 1/2; nothing changed outside ``output`` (and
    the signature beside it)."""
    assert answer["error"] is None, answer["error"]
    assert answer["exit_code"] in (0, 1, 2), answer
    assert "Traceback" not in answer["stderr"]
    if answer["exit_code"]:
        errors = [line for line in answer["stderr"].splitlines() if line.startswith("Error")]
        assert len(errors) == 1, answer["stderr"]
    after = snapshot(folder, exclude=(output, signature_path(output)) if output else ())
    assert after == before


# ---------------------------------------------------------------- generated inputs

NAME_CHARS = st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",))
NAMES = st.text(NAME_CHARS, min_size=1, max_size=30).filter(
    lambda name: name not in (".", "..") and len(name.encode("utf-8")) < 200)
SUFFIXES = st.sampled_from(["", ".txt", ".html", ".htm", ".ru", ".en", ".beads", ".tmx"])
SNIPPETS = st.sampled_from([
    b"<html><body>", b"<p>", b"</p>", b"<font>", b"<br>", b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"&a;", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\r\n", b"\n\n", b".EOA\n",
    "Президент встретился с министром. ".encode(), b"The minister met the president. ",
    "Привет".encode("cp1251"), "Привет".encode("koi8-r"), b"[0]:[0]\n", b"[1, 2]:[]\n",
    b"[0]:[\n", b'<tmx version="1.4"><header srclang="ru"/><body>', b"<tu><tuv xml:lang='ru'>",
    b"<seg>x</seg></tuv></tu>", b"</body></tmx>", b'<?xml version="1.0" encoding="UTF-16"?>'])
CONTENT = st.one_of(st.binary(max_size=600),
                    st.lists(st.one_of(SNIPPETS, st.binary(max_size=20)), max_size=30)
                    .map(b"".join))


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- the commands

@FUZZ
@given(name=NAMES, suffix=SUFFIXES, data=CONTENT, whole_folder=st.booleans(),
       presplit=st.booleans())
def test_ingest_survives_any_file(server, name, suffix, data, whole_folder, presplit):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        path = write(folder, name + suffix, data)
        output = Path(tmp) / "docs.jsonl"
        before = snapshot(Path(tmp))
        answer = server.run("ingest", folder if whole_folder else path, "-o", output,
                            *(["--presplit", "--lang", "ru"] if presplit else []), "--quiet")
        check_outcome(answer, before, Path(tmp), output)


@FUZZ
@given(source=CONTENT, target=CONTENT, names=st.tuples(NAMES, NAMES).filter(
    lambda pair: pair[0] != pair[1]), fmt=st.sampled_from(["beads", "jsonl", "tmx"]))
def test_align_presplit_survives_any_pair_of_files(server, source, target, names, fmt):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src, tgt = write(folder, names[0], source), write(folder, names[1], target)
        output = folder / "out.result"
        before = snapshot(folder)
        answer = server.run("align", src, tgt, "--presplit", "--src-lang", "ru",
                            "--tgt-lang", "en", "--format", fmt, "-o", output, "--quiet")
        check_outcome(answer, before, folder, output)


BEAD_LINES = st.lists(st.one_of(
    st.builds(lambda a, b: f"{a}:{b}", st.lists(st.integers(-2, 40), max_size=4),
              st.lists(st.integers(0, 40), max_size=4)),
    st.text(max_size=30)), max_size=15).map(lambda lines: "\n".join(lines).encode("utf-8",
                                                                                  "replace"))


@FUZZ
@given(gold=st.one_of(BEAD_LINES, CONTENT), test=st.one_of(BEAD_LINES, CONTENT),
       as_json=st.booleans())
def test_eval_survives_any_bead_files(server, gold, test, as_json):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        gold_path, test_path = write(folder, "a.gold", gold), write(folder, "a.test", test)
        before = snapshot(folder)
        answer = server.run("eval", "--gold", gold_path, "--test", test_path,
                            *(["--json"] if as_json else []))
        check_outcome(answer, before, folder, None)


TMX_PIECES = st.lists(st.one_of(SNIPPETS, st.sampled_from([
    b"<prop type='x-align-score'>0.5</prop>", b"<note>n</note>", b"<bpt i='1'>", b"</bpt>",
    b"<tuv xml:lang='en'><seg>y</seg></tuv>", b"]]>", b"<![CDATA[x]]>", b"&amp;", b"&#0;"])),
    max_size=40).map(b"".join)


@FUZZ
@given(data=st.one_of(TMX_PIECES, CONTENT), name=NAMES)
def test_tmx_validate_survives_any_file(server, data, name):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write(folder, name, data)
        before = snapshot(folder)
        check_outcome(server.run("tmx", "validate", path), before, folder, None)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=8)
METADATA_KEYS = ("from_code", "to_code", "type", "package_version", "target_prefix",
                 "languages", "from_name")


@functools.cache
def real_metadata() -> dict:
    with zipfile.ZipFile(tiny_package_archive()) as real:
        name = next(name for name in real.namelist() if name.endswith("/metadata.json"))
        return json.loads(real.read(name))


def mutated_metadata(changes: dict, removed: list[str], encoding: str) -> bytes:
    """The real package's metadata with some fields changed or removed, in some encoding."""
    metadata = {key: value for key, value in {**real_metadata(), **changes}.items()
                if key not in removed}
    return json.dumps(metadata).encode(encoding)


METADATA = st.one_of(
    st.builds(mutated_metadata,
              st.dictionaries(st.sampled_from(METADATA_KEYS),
                              JSON_VALUES | st.sampled_from(["ru", "en", "", "translate"]),
                              max_size=2),
              st.lists(st.sampled_from(METADATA_KEYS), max_size=1),
              st.sampled_from(["utf-8", "utf-8", "utf-16", "utf-8-sig"])),
    CONTENT)
MEMBER_NAMES = st.one_of(st.sampled_from(["metadata.json", "model/model.bin",
                                          "sentencepiece.model", "../escape.txt", "/abs.txt"]),
                         NAMES)


def archive_bytes(top: str, metadata: bytes, members: list[tuple[str, bytes]],
                  from_real: bool) -> bytes:
    """A zip: either the real tiny package with new metadata, or members made up."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as new:
        if from_real:
            with zipfile.ZipFile(tiny_package_archive()) as real:
                for info in real.infolist():
                    data = real.read(info)
                    new.writestr(info.filename,
                                 metadata if info.filename.endswith("/metadata.json") else data)
        else:
            new.writestr(f"{top}/metadata.json", metadata)
        for member, data in members:
            if f"{top}/{member}" not in new.namelist():  # duplicates only make zipfile warn
                new.writestr(f"{top}/{member}", data)
    return buffer.getvalue()


@FUZZ
@given(top=NAMES, metadata=METADATA, from_real=st.booleans(),
       members=st.lists(st.tuples(MEMBER_NAMES, st.binary(max_size=200)), max_size=4),
       cut=st.one_of(st.none(), st.integers(0, 5000)))
def test_models_install_survives_any_archive(server, top, metadata, from_real, members, cut):
    data = archive_bytes(top, metadata, members, from_real)
    if cut is not None:
        data = data[:cut]
    packages = server.packages  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write(folder, "model.argosmodel", data)
        before = snapshot(folder)
        installed_before = snapshot(packages) if packages.exists() else {}
        answer = server.run("models", "install", path)
        check_outcome(answer, before, folder, None)
        if answer["exit_code"] != 0:
            assert (snapshot(packages) if packages.exists() else {}) == installed_before
        listed = server.run("models", "list", "--json")
        assert listed["exit_code"] == 0 and listed["error"] is None, listed


# ---------------------------------------------------------------- no silent drop in HTML

# Mostly inline tags, which libxml2 keeps open: 15 paragraphs or more nest past 256 levels.
OPENERS = st.sampled_from(["<font size=2>", "<b>", "<span class='x>y'>", "<i>", "<em>",
                           "<font>", "<div>", "<p>", "<a href=#>", "<li>"])


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.lists(OPENERS, min_size=20, max_size=40), st.booleans()),
                min_size=15, max_size=40))
def test_html_keeps_every_word_however_deeply_nested(paragraphs):
    """However many tags stay open (past libxml2's 256 levels too), every word survives."""
    from aligner.ingest.html import html_to_text

    page = "<html><body>" + "".join(
        "".join(openers) + f"word{number}" + ("<br>" if line_break else " ")
        for number, (openers, line_break) in enumerate(paragraphs)) + "</body></html>"
    text = html_to_text(page)
    assert all(f"word{number}" in text for number in range(len(paragraphs)))

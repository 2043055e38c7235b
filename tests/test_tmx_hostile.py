"""Hostile TMX: refused with a clear message, no network, no file disclosure, bounded memory."""

from __future__ import annotations

import http.server
import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner
from tmx_support import tmx_text, tu_xml

from aligner.cli import main
from tmx import TmxError, TmxParseError, read_header, read_units, validate

LAUGHS = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10))
MAX_RSS_GROWTH = 150 * 2**20


def tmx_with(doctype: str, seg: str) -> str:
    return tmx_text(tu_xml(src=seg, tgt="x"), doctype=f"\n{doctype}" if doctype else "")


def rss() -> int:
    return psutil.Process().memory_info().rss


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request: any hit means the parser went online."""
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "LEAKED">')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()


def refused(path: Path, match: str) -> str:
    """Assert that reading, reading the header, and validating all refuse ``path``."""
    with pytest.raises(TmxParseError, match=match) as caught:
        list(read_units(path))
    report = validate(path)
    assert not report.ok
    assert re.search(match.split(": ", 1)[-1], str(report.errors[0])), report.errors
    return str(caught.value)


def test_billion_laughs_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "laughs.tmx"
    path.write_text(tmx_with(f"<!DOCTYPE tmx [{LAUGHS}]>", "&lol9;"))
    before = rss()
    message = refused(path, "refused")
    assert str(path) in message and "entit" in message
    assert rss() - before < MAX_RSS_GROWTH


def test_xxe_local_file_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    path = tmp_path / "xxe.tmx"
    path.write_text(tmx_with(f'<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file://{secret}">]>', "&xxe;"))
    message = refused(path, "refused: the DOCTYPE declares entities")
    assert "TOP-SECRET" not in message


def test_xxe_and_external_dtd_over_http_make_no_request(
        tmp_path: Path, http_server: tuple[str, list[str]]) -> None:
    url, hits = http_server
    cases = {
        "entity": tmx_with(f'<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "{url}/entity">]>', "&xxe;"),
        "parameter": tmx_with(f'<!DOCTYPE tmx [<!ENTITY % p SYSTEM "{url}/param"> %p;]>', "a"),
        "dtd": tmx_with(f'<!DOCTYPE tmx SYSTEM "{url}/tmx14.dtd">', "a &leak; b"),
    }
    for name, text in cases.items():
        path = tmp_path / f"{name}.tmx"
        path.write_text(text)
        with pytest.raises(TmxParseError, match="refused"):
            list(read_units(path))
        assert not validate(path).ok
    assert hits == []


def test_external_doctype_alone_is_fine_offline(tmp_path: Path, http_server) -> None:
    url, hits = http_server
    path = tmp_path / "remote-dtd.tmx"
    path.write_text(tmx_with(f'<!DOCTYPE tmx SYSTEM "{url}/tmx14.dtd">', "Да"))
    assert [unit.source for unit in read_units(path)] == ["Да"]
    assert hits == []


def test_file_claiming_2_gb_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "huge.tmx"
    start = tmx_with('<!DOCTYPE tmx SYSTEM "tmx14.dtd">', "x").split("<body>")[0] + "<body><tu>"
    with open(path, "wb") as handle:
        handle.write(start.encode())
        handle.truncate(2 * 2**30)  # sparse: 2 GB claimed, nothing stored
    before = rss()
    message = refused(path, "not well-formed XML at line")
    assert str(path) in message
    assert rss() - before < MAX_RSS_GROWTH


class EndlessSegment(io.RawIOBase):
    """A TMX stream whose one <seg> never ends (2 GB of 'a' claimed, generated lazily)."""

    def __init__(self) -> None:
        self.head = tmx_with("", "").split("<seg>")[0].encode() + b"<seg>"
        self.sent = 0
        self.name = "endless.tmx"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.sent >= 2 * 2**30:
            return 0
        chunk = self.head if self.sent == 0 else b"a" * len(buffer)
        chunk = chunk[:len(buffer)]
        buffer[:len(chunk)] = chunk
        self.sent += len(chunk)
        return len(chunk)


def test_endless_text_node_stops_at_the_safe_limit() -> None:
    stream = EndlessSegment()
    before = rss()
    with pytest.raises(TmxParseError, match="endless.tmx: refused: a text node"):
        list(read_units(stream))
    assert stream.sent < 64 * 2**20
    assert rss() - before < MAX_RSS_GROWTH


def test_truncated_file(tmp_path: Path) -> None:
    path = tmp_path / "cut.tmx"
    path.write_text(tmx_with("", "Да")[:-40])
    message = refused(path, "cut.tmx: truncated: the file ends before </tmx> .line 5")
    assert message.startswith(f"{path}: truncated")


@pytest.mark.parametrize(("content", "match"), [
    ("<html><body>hi</body></html>", "not a TMX file: the root element is <html>"),
    ("", "other.tmx: the file is empty .no XML element.; give a TMX file$"),
    (" \n\n", "other.tmx: the file is empty"),
    ("just text", "not well-formed XML at line 1"),
])
def test_not_tmx(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "other.tmx"
    path.write_text(content)
    with pytest.raises(TmxParseError, match=match):
        read_header(path)


def test_cli_reports_hostile_files_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "laughs.tmx"
    path.write_text(tmx_with(f"<!DOCTYPE tmx [{LAUGHS}]>", "&lol9;"))
    for command in (["stats"], ["convert", "--to", "tsv"], ["validate"]):
        result = CliRunner().invoke(main, ["tmx", *command, str(path)])
        assert result.exit_code == 1, result.output
        lines = [line for line in result.output.splitlines() if line.startswith("Error")]
        assert len(lines) == 1 and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["tmx", "stats", str(path)])
    assert result.output.startswith(f"Error: {path}: refused")


def test_an_unwritable_output_names_the_output_not_its_temporary_file(tmp_path: Path) -> None:
    from tmx._atomic import atomic_output

    target = tmp_path / "taken"
    target.mkdir()  # a folder where the file should go: the final rename fails
    with pytest.raises(TmxError, match=f"^{re.escape(str(target))}: cannot write it .Is a dir"):
        with atomic_output(target) as handle:
            handle.write(b"<tmx/>")
    assert [path.name for path in tmp_path.iterdir()] == ["taken"]

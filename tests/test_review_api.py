"""The review app's HTTP API on a real run of the seed corpus: every edit, every refusal.

A refused request answers 4xx with a one-line message and writes nothing; a save writes
``OUT/reviewed/`` and rewrites the TMX files and the report, never ``alignments/``.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from argos_fixture import use_package_dir
from review_support import make_run, pair_keys
from run_support import output_bytes, run_cli
from starlette.testclient import TestClient

from aligner.cli import main
from aligner.review.web import TOKEN_HEADER, create_app
from aligner.review.workspace import Workspace
from tmx import read_units

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PORT = 8765
TOKEN = "test-token"
HEADERS = {TOKEN_HEADER: TOKEN}


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("review-seed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ALIGNER_CACHE_DIR", str(base / "cache"))
        use_package_dir(patch, base / "argos")
        return make_run(CORPUS, base / "out")


@pytest.fixture
def run(seed_run, tmp_path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(seed_run, out)
    return out


@pytest.fixture
def client(run) -> TestClient:
    return TestClient(create_app(Workspace.open(run), TOKEN, PORT),
                      base_url=f"http://127.0.0.1:{PORT}")


def key_of(run: Path) -> str:
    return pair_keys(run)[0]


def edit(client: TestClient, key: str, version: int, **body):
    return client.post(f"/api/pairs/{key}/edit", json={"version": version, **body},
                       headers=HEADERS)


def shape(page) -> list[tuple[list[int], list[int]]]:
    return [([s["i"] for s in b["src"]], [t["i"] for t in b["tgt"]]) for b in page["beads"]]


def test_realignment_uses_the_run_s_alignment_settings(run):
    from aligner.alignment import AlignConfig

    assert Workspace.open(run).align_config == AlignConfig()
    assert Workspace.open(run).notes == []


def test_pairs_queue_and_summary(client, run):
    summary = client.get("/api/summary", headers=HEADERS).json()
    assert summary["pairs"] == 1 and summary["beads"] == 17 and summary["reviewed_beads"] == 0
    pairs = client.get("/api/pairs?offset=0&limit=10", headers=HEADERS).json()
    assert [row["key"] for row in pairs["pairs"]] == [key_of(run)]
    queue = client.get("/api/queue?limit=5&next=3", headers=HEADERS).json()
    confidences = [item["confidence"] for item in queue["items"]]
    assert confidences == sorted(confidences) and len(confidences) == 5
    assert queue["expected_wrong"] == pytest.approx(summary["expected_wrong"], abs=1e-3)
    reviewed_three = sum(1 - c for c in confidences[:3])
    assert queue["expected_wrong_after"] == pytest.approx(queue["expected_wrong"]
                                                          - reviewed_three, abs=2e-3)
    page = client.get(f"/api/pairs/{key_of(run)}?offset=5&limit=4", headers=HEADERS).json()
    assert [bead["index"] for bead in page["beads"]] == [5, 6, 7, 8] and page["total"] == 17


def test_every_edit_through_the_api(client, run):
    key = key_of(run)
    page = edit(client, key, 0, op="confirm", bead=0).json()
    assert page["beads"][0]["status"] == "confirmed" and page["version"] == 1
    page = edit(client, key, 1, op="unconfirm", bead=0).json()
    assert page["beads"][0]["status"] == "machine"
    page = edit(client, key, 2, op="merge", bead=1, direction="down").json()
    assert shape(page)[1] == ([1, 2], [1, 2]) and page["total"] == 16
    page = edit(client, key, 3, op="split", bead=1, src_at=1, tgt_at=1).json()
    assert shape(page)[1:3] == [([1], [1]), ([2], [2])]
    page = edit(client, key, 4, op="merge", bead=4, direction="up").json()
    assert shape(page)[3] == ([3, 4], [3, 4])
    page = edit(client, key, 5, op="move", bead=3, side="tgt", sentence=4,
                direction="down").json()
    assert shape(page)[3:5] == [([3, 4], [3]), ([5], [4, 5])]
    page = edit(client, key, 6, op="untranslated", bead=3, side="src", sentence=4).json()
    assert shape(page)[3:5] == [([3], [3]), ([4], [])]
    page = edit(client, key, 7, op="text", side="src", sentence=0,
                text="Исправлено.").json()
    assert page["beads"][0]["src"][0]["text"] == "Исправлено."
    page = edit(client, key, 8, op="realign").json()
    assert shape(page)[3:5] == [([3], [3]), ([4], [])]  # edited beads stay as they were
    version = page["version"]  # 8 when realigning changed nothing (the page says so), else 9
    assert version == 9 or page["note"] == "realigning changed no bead"
    page = edit(client, key, version, op="undo").json()
    assert page["can_redo"] and page["version"] == version + 1
    page = edit(client, key, version + 1, op="redo").json()
    assert page["version"] == version + 2 and not page["can_redo"]


@pytest.mark.parametrize("request_args,status,message", [
    (("post", "/api/pairs/nope/edit", {"version": 0, "op": "confirm", "bead": 0}, HEADERS),
     404, "no pair 'nope'"),
    (("post", "/api/pairs/KEY/edit", {"version": 0, "op": "confirm", "bead": 17}, HEADERS),
     400, "bead 17 does not exist"),
    (("post", "/api/pairs/KEY/edit", {"version": 0, "op": "split", "bead": 0, "src_at": 5,
                                      "tgt_at": 0}, HEADERS), 400, "src_at 5 must lie in"),
    (("post", "/api/pairs/KEY/edit", {"version": 0, "op": "text", "side": "src",
                                      "sentence": 99, "text": "x"}, HEADERS),
     400, "does not exist"),
    (("post", "/api/pairs/KEY/edit", {"version": 3, "op": "confirm", "bead": 0}, HEADERS),
     409, "made on version 3 but the pair is at version 0"),
    (("post", "/api/pairs/KEY/edit", {"op": "confirm", "bead": 0}, HEADERS),
     409, "version None"),
    (("post", "/api/pairs/KEY/edit", {"version": 0, "op": "explode"}, HEADERS),
     400, "unknown edit 'explode'"),
    (("post", "/api/pairs/KEY/edit", {"version": 0, "op": "merge", "bead": 0}, HEADERS),
     400, "needs the field 'direction'"),
    (("post", "/api/pairs/KEY/edit", {"version": 0, "op": "undo"}, HEADERS),
     400, "nothing to undo"),
    (("post", "/api/pairs/KEY/edit", {"version": 0, "op": "confirm", "bead": 0}, {}),
     403, "missing or wrong review token"),
    (("post", "/api/save", {}, {TOKEN_HEADER: "guess"}), 403, "missing or wrong review token"),
    (("get", "/api/queue?limit=0", None, HEADERS), 400, "limit 1..500"),
    (("get", "/api/pairs?offset=x", None, HEADERS), 400, "offset must be a whole number"),
    (("post", "/api/save", {}, {**HEADERS, "host": "evil.example:8765"}), 400,
     "unexpected Host header 'evil.example:8765'"),
    (("get", "/api/summary", None, {**HEADERS, "host": f"127.0.0.1:{PORT + 1}"}), 400,
     "unexpected Host header"),
])
def test_bad_requests_are_refused_with_a_message_and_write_nothing(client, run, request_args,
                                                                   status, message):
    method, path, body, headers = request_args
    before = output_bytes(run)
    path = path.replace("KEY", key_of(run))
    response = (client.post(path, json=body, headers=headers) if method == "post"
                else client.get(path, headers=headers))
    assert response.status_code == status, response.text
    assert message in response.json()["error"]
    assert client.post("/api/save", json={}, headers=HEADERS).json()["saved"] == []
    assert output_bytes(run) == before and not (run / "reviewed").exists()


def test_a_save_while_a_run_writes_the_folder_is_refused(client, run):
    from aligner.outfolder import output_lock

    edit(client, key_of(run), 0, op="confirm", bead=0)
    with output_lock(run):
        response = client.post("/api/save", json={}, headers=HEADERS)
    assert response.status_code == 409
    assert "another aligner run is writing this folder" in response.json()["error"]
    assert not (run / "reviewed").exists()
    assert client.post("/api/save", json={}, headers=HEADERS).json()["saved"] == [key_of(run)]


def test_a_body_that_is_not_json_is_refused(client, run):
    response = client.post(f"/api/pairs/{key_of(run)}/edit", content=b"{not json",
                           headers=HEADERS)
    assert response.status_code == 400 and "not JSON" in response.json()["error"]


def test_pages_and_assets_come_from_the_app_with_a_strict_policy(client):
    page = client.get("/")
    assert page.status_code == 200 and "/static/review.js" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "http" not in page.text.replace("http-equiv", "")  # nothing from elsewhere
    assert client.get("/static/review.js").status_code == 200
    assert client.get("/static/..%2Fweb.py").status_code == 404
    assert client.get("/static/web.py").status_code == 404


def test_save_writes_the_review_beside_the_machine_alignment_and_rewrites_the_tmx(client, run):
    key = key_of(run)
    machine = (run / "alignments" / f"{key}.jsonl").read_bytes()
    edit(client, key, 0, op="merge", bead=1, direction="down")
    edit(client, key, 1, op="confirm", bead=0)
    saved = client.post("/api/save", json={}, headers=HEADERS).json()
    assert saved["saved"] == [key] and saved["review_changes"] == {"confirm": 1, "merge": 1}
    assert (run / "alignments" / f"{key}.jsonl").read_bytes() == machine
    assert (run / "reviewed" / f"{key}.jsonl").is_file()
    for tmx_file in (run / "corpus.tmx", run / "tmx" / f"{key}.tmx"):
        units = list(read_units(tmx_file))
        assert len(units) == 16
        assert [u.prop("x-reviewed") for u in units[:2]] == ["yes", "yes"]
        assert {u.prop("x-reviewed") for u in units[2:]} == {"no"}
        assert units[1].prop("x-src-idx") == "1,2"
    report = (run / "report.json").read_text(encoding="utf-8")
    assert '"review_changes": {\n   "confirm": 1,\n   "merge": 1\n  }' in report
    assert "reviewer&#x27;s changes" in (run / "report.html").read_text(encoding="utf-8") \
        or "reviewer's changes" in (run / "report.html").read_text(encoding="utf-8")


def test_resume_keeps_reviews_and_a_changed_pair_drops_its_stale_review(client, run, tmp_path,
                                                                       monkeypatch):
    key = key_of(run)
    edit(client, key, 0, op="merge", bead=1, direction="down")
    client.post("/api/save", json={}, headers=HEADERS)
    use_package_dir(monkeypatch, tmp_path / "argos")
    result = run_cli(CORPUS, "-o", run, "--no-mt", "--quiet", "--resume")
    assert result.exit_code == 0, result.output
    assert len(list(read_units(run / "corpus.tmx"))) == 16
    assert list(read_units(run / "tmx" / f"{key}.tmx"))[1].prop("x-reviewed") == "yes"
    # a review made for another machine alignment is kept on disk but not applied
    reviewed = run / "reviewed" / f"{key}.jsonl"
    reviewed.write_text(reviewed.read_text(encoding="utf-8").replace(
        '"machine_fingerprint": "', '"machine_fingerprint": "0', 1), encoding="utf-8")
    result = run_cli(CORPUS, "-o", run, "--no-mt", "--resume")
    assert result.exit_code == 0
    assert "made for an earlier alignment" in result.output
    assert "made for an earlier alignment" in (run / "report.json").read_text(encoding="utf-8")
    assert len(list(read_units(run / "corpus.tmx"))) == 17
    assert len(list(read_units(run / "tmx" / f"{key}.tmx"))) == 17
    assert Workspace.open(run).notes[0].endswith("(saving replaces that review)")


@pytest.mark.parametrize("away", ["moved", "deleted"])
def test_a_review_taken_away_leaves_no_output_reviewed(client, run, tmp_path, monkeypatch, away):
    """The pair's own TMX, corpus.tmx and the report all follow the reviews present."""
    key = key_of(run)
    machine = {name: (run / name).read_bytes() for name in ("corpus.tmx", f"tmx/{key}.tmx")}
    edit(client, key, 0, op="merge", bead=1, direction="down")
    client.post("/api/save", json={}, headers=HEADERS)
    assert list(read_units(run / "tmx" / f"{key}.tmx"))[1].prop("x-reviewed") == "yes"
    review = run / "reviewed" / f"{key}.jsonl"
    if away == "moved":
        review.rename(tmp_path / "set-aside.jsonl")
    else:
        review.unlink()
    use_package_dir(monkeypatch, tmp_path / "argos")
    result = run_cli(CORPUS, "-o", run, "--no-mt", "--quiet", "--resume")
    assert result.exit_code == 0, result.output
    for name, earlier in machine.items():
        units = list(read_units(run / name))
        assert len(units) == len(list(read_units(io.BytesIO(earlier)))) == 17, name
        assert {unit.prop("x-reviewed") for unit in units} == {None}, name
    summary = json.loads((run / "report.json").read_text(encoding="utf-8"))["summary"]
    assert not summary["review_changes"]


def test_one_alignment_file_is_reviewed_beside_itself(tmp_path):
    from aligner.alignment import align_sentences
    from aligner.beadfile import alignment_lines
    from aligner.io import write_jsonl
    from aligner.records import Alignment

    src, tgt = ["Да.", "Нет.", "Может быть."], ["Yes.", "No.", "Maybe."]
    beads = tuple(align_sentences(src, tgt))
    path = tmp_path / "pair.jsonl"
    write_jsonl(path, alignment_lines(Alignment("a", "b", "ru", "en", tuple(src), tuple(tgt),
                                                beads)))
    client = TestClient(create_app(Workspace.open(path), TOKEN, PORT),
                        base_url=f"http://localhost:{PORT}")
    edit(client, "pair", 0, op="merge", bead=0, direction="down")
    assert client.post("/api/save", json={}, headers=HEADERS).json()["saved"] == ["pair"]
    units = list(read_units(tmp_path / "pair.reviewed.tmx"))
    assert [(u.source, u.prop("x-reviewed")) for u in units] == [("Да. Нет.", "yes"),
                                                                 ("Может быть.", "no")]
    assert (tmp_path / "pair.reviewed.jsonl").is_file()


def test_the_command_refuses_what_it_cannot_review(tmp_path, run):
    from click.testing import CliRunner

    runner = CliRunner()
    result = runner.invoke(main, ["review", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "missing: no such file or directory" in result.output
    (tmp_path / "empty").mkdir()
    result = runner.invoke(main, ["review", str(tmp_path / "empty"), "--no-browser"])
    assert result.exit_code == 1 and "not a finished aligner run" in result.output
    result = runner.invoke(main, ["review", str(run / "alignments" / f"{key_of(run)}.jsonl")])
    assert result.exit_code == 2 and "review the run instead" in result.output
    (tmp_path / "bad.jsonl").write_text("{not json\n", encoding="utf-8")
    result = runner.invoke(main, ["review", str(tmp_path / "bad.jsonl")])
    assert result.exit_code == 1 and "bad.jsonl: not JSON Lines" in result.output


def test_a_save_the_file_system_refuses_is_a_message_naming_the_file(client, run):
    key = key_of(run)
    edit(client, key, 0, op="confirm", bead=0)
    (run / "reviewed").write_text("a file where the folder should be", encoding="utf-8")
    response = client.post("/api/save", json={}, headers=HEADERS)
    assert response.status_code == 409
    assert response.json()["error"].startswith(f"{run / 'reviewed'}: cannot create the folder")
    (run / "reviewed").unlink()
    (run / "reviewed" / f"{key}.jsonl").mkdir(parents=True)  # a folder where the file goes
    response = client.post("/api/save", json={}, headers=HEADERS)
    assert response.status_code == 409
    assert response.json()["error"] == (f"{run / 'reviewed' / f'{key}.jsonl'}: cannot write it "
                                        "(Is a directory)")

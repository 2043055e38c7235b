import re

import pytest

from aligner.errors import InputError
from aligner.records import (Alignment, Bead, DocPair, Document, PairEvidence, PairLabel,
                             Paragraph, Sentence)
from aligner.signature import make_signature, signature_string


def test_bead_type_and_gold_format():
    bead = Bead(src=(3, 4), tgt=(5,), confidence=0.5)
    assert bead.type == "2-1"
    assert bead.gold_format() == "[3, 4]:[5]"
    assert Bead(src=(7,), tgt=()).gold_format() == "[7]:[]"


@pytest.mark.parametrize("src,tgt", [((), ()), ((2, 1), (0,)), ((1, 1), (0,)), ((-1,), (0,))])
def test_bead_rejects_bad_indices(src, tgt):
    with pytest.raises(ValueError):
        Bead(src=src, tgt=tgt)


def test_alignment_must_cover_every_sentence_once():
    beads = (Bead((0,), (0,)), Bead((1,), ()))
    alignment = Alignment("a", "b", "ru", "en", ("x", "y"), ("z",), beads)
    assert alignment.bead_texts(beads[0]) == ("x", "z")
    assert Alignment.from_json(alignment.to_json()) == alignment
    with pytest.raises(ValueError, match="every source sentence"):
        Alignment("a", "b", "ru", "en", ("x", "y", "w"), ("z",), beads)


def test_document_round_trip():
    doc = Document(id="d", path="d.txt", lang="ru", encoding="utf-8",
                   paragraphs=(Paragraph("Заголовок", is_title=True), Paragraph("Текст.")),
                   sentences=(Sentence("Текст.", 1, 0, 6),), clean_text="Текст.",
                   title="Заголовок", date="2022-04-25")
    assert Document.from_json(doc.to_json()) == doc
    assert doc.sentence_texts == ["Текст."]


def test_docpair_label_is_checked():
    with pytest.raises(ValueError, match="label"):
        DocPair("a", "b", "maybe", 0.5)
    with pytest.raises(ValueError, match="label"):
        DocPair("a", "b", "comparable", 0.5)


def test_docpair_keeps_its_basis_through_json():
    evidence = PairEvidence(coverage_src=0.1, coverage_tgt=0.2, aligned=False, length=0.8,
                            embedding=0.7, margin=0.0, sentences_src=0.3, sentences_tgt=0.25,
                            event_date=1.0)
    pair = DocPair("a", "b", "same-event", 0.6, evidence, "shared sentences 0.30, same date")
    assert DocPair.from_json(pair.to_json()) == pair


def test_docpair_label_is_the_enum_and_written_as_its_value():
    pair = DocPair("a", "b", "same-event", 0.6)
    assert pair.label is PairLabel.SAME_EVENT
    assert pair.to_json()["label"] == "same-event" and f"{pair.label}" == "same-event"
    assert DocPair.from_json(pair.to_json()).label is PairLabel.SAME_EVENT
    assert pair.to_json()["evidence"] == {} and pair.evidence_text(".2f") == ""


def test_pair_evidence_is_written_by_name_without_absent_kinds():
    evidence = PairEvidence(coverage_src=0.123456789, coverage_tgt=1.0, aligned=True,
                            length=0.5, embedding=0.7, margin=0.0, sentences_src=0.3,
                            sentences_tgt=0.25, names=0.4, p_related=0.6)
    assert list(evidence.to_json().items()) == [
        ("aligned", 1.0), ("coverage_src", 0.123457), ("coverage_tgt", 1.0),
        ("embedding", 0.7), ("length", 0.5), ("margin", 0.0), ("names", 0.4),
        ("p_related", 0.6), ("sentences_src", 0.3), ("sentences_tgt", 0.25)]
    pair = DocPair("a", "b", "related", 0.6, evidence)
    assert pair.evidence_text(".2f").startswith("aligned=1.00 coverage_src=0.12 coverage_tgt=")
    assert PairEvidence.from_json(evidence.to_json()).aligned is True


@pytest.mark.parametrize("data,message", [
    ({"coverage": 0.9}, "unknown pair evidence coverage"),
    ({"aligned": 1.0, "coverage_src": 1.5, "coverage_tgt": 1.0, "length": 1.0,
      "embedding": 0.9, "margin": 0.1, "sentences_src": 1.0, "sentences_tgt": 1.0},
     "coverage_src=1.5 not in"),
])
def test_pair_evidence_rejects_unknown_names_and_values_out_of_range(data, message):
    with pytest.raises(ValueError, match=message):
        PairEvidence.from_json(data)


def test_signature_string_is_pinned():
    signature = make_signature("align", {"max_bead": 5, "mt": False}, packages=())
    signature.pop("aligner")
    assert signature_string(signature) == "max_bead:5|mt:no|stage:align"


def test_atomic_write_leaves_nothing_on_failure_and_normal_permissions(tmp_path):
    import os

    from aligner.io import atomic_write

    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError):
        with atomic_write(target) as handle:
            handle.write("partial")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
    with atomic_write(target) as handle:
        handle.write("done")
    assert target.read_text() == "done"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_an_unwritable_output_names_the_output_not_its_temporary_file(tmp_path):
    from aligner.io import atomic_write

    target = tmp_path / "taken"
    target.mkdir()  # a folder where the file should go: the final rename fails
    with pytest.raises(InputError, match=f"^{re.escape(str(target))}: cannot write it .Is a dir"):
        with atomic_write(target) as handle:
            handle.write("partial")
    assert [path.name for path in tmp_path.iterdir()] == ["taken"]


def test_atomic_write_keeps_a_replaced_files_permissions_and_writes_text_as_given(tmp_path):
    from aligner.io import atomic_write

    target = tmp_path / "private.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o600)
    with atomic_write(target) as handle:
        handle.write("Да\r\nnew\n")
    assert target.read_bytes() == "Да\r\nnew\n".encode()  # no newline translation
    assert target.stat().st_mode & 0o777 == 0o600
    with atomic_write(target, "wb") as handle:
        handle.write(b"\x00bytes")
    assert target.read_bytes() == b"\x00bytes"


def test_an_output_over_a_symbolic_link_replaces_the_link_with_a_new_files_mode(tmp_path):
    import os

    from aligner.io import atomic_write

    linked = tmp_path / "other.txt"
    linked.write_text("kept", encoding="utf-8")
    linked.chmod(0o777)
    target = tmp_path / "out.beads"
    target.symlink_to(linked.name)
    with atomic_write(target) as handle:
        handle.write("[0]:[0]\n")
    umask = os.umask(0)
    os.umask(umask)
    assert not target.is_symlink() and target.read_text(encoding="utf-8") == "[0]:[0]\n"
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not the linked file's 0777
    assert linked.read_text(encoding="utf-8") == "kept" and linked.stat().st_mode & 0o777 == 0o777


def test_permissions_that_cannot_be_set_are_one_error_naming_the_output(tmp_path, monkeypatch):
    import errno

    import tmx._atomic
    from aligner.io import atomic_write

    def refuse(*_args):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(tmx._atomic.os, "chmod", refuse)
    target = tmp_path / "out.txt"
    with pytest.raises(InputError, match=f"^{re.escape(str(target))}: cannot write it "
                                         r"\(Operation not permitted\)$"):
        with atomic_write(target) as handle:
            handle.write("never")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_text_goes_straight_to_the_file_with_line_ends_and_errors_as_given(
        tmp_path):
    import io

    from aligner.io import atomic_write

    target = tmp_path / "out.txt"
    with atomic_write(target) as handle:
        # the real file, not tempfile's Python-level wrapper (each write() was ~3x slower)
        assert type(handle.buffer) is io.BufferedWriter
        handle.write("a\r\nb\rc\n")
    assert target.read_bytes() == b"a\r\nb\rc\n"
    with pytest.raises(UnicodeEncodeError):
        with atomic_write(target) as handle:
            handle.write("\udcff")
    assert target.read_bytes() == b"a\r\nb\rc\n"
    assert [path.name for path in tmp_path.iterdir()] == ["out.txt"]
    with atomic_write(target, "wb") as handle:
        assert type(handle) is io.BufferedWriter

import pytest

from aligner.records import Alignment, Bead, DocPair, Document, Paragraph, Sentence
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
    pair = DocPair("a", "b", "same-event", 0.6, {"sentences_src": 0.3},
                   "shared sentences 0.30, same date")
    assert DocPair.from_json(pair.to_json()) == pair


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

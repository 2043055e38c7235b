"""Records of a small run, built by hand from the seed press release, for report tests."""

from __future__ import annotations

from dataclasses import replace

from aligner.records import (Alignment, Bead, BeadScore, CorpusScore, DocPair, Document,
                             MtStatus, PairEvidence, PairResult, Paragraph, Sentence,
                             SimilarityGrid)
from aligner.report import RunFigures

RU = ("Касым-Жомарт Токаев принял министра обороны КНР Вэй Фэнхэ.",
      "Было отмечено, что ключевым ориентиром является Декларация.",
      "Достигнуты очень большие результаты.",
      "Собеседники обменялись мнениями.",
      "Заметили ошибку в тексте? <b>Ctrl+Enter</b> & «ёлочки»")
EN = ("Kassym-Jomart Tokayev held a meeting with Wei Fenghe.",
      "It was noted that the key guidance is the Declaration.",
      "Great results have been reached.",
      "The interlocutors exchanged views.")


def document(doc_id: str, lang: str, sentences: tuple[str, ...]) -> Document:
    """A document whose body is ``sentences`` (one paragraph each) after a chrome line."""
    paragraphs = [Paragraph("USD 444", boilerplate=True, reason="currency widget")]
    body, offset, text = [], 0, []
    for index, sentence in enumerate(sentences):
        paragraphs.append(Paragraph(sentence))
        body.append(Sentence(sentence, index + 1, offset, offset + len(sentence)))
        text.append(sentence)
        offset += len(sentence) + 2
    return Document(id=doc_id, path=f"corpus/{doc_id}.txt", lang=lang, encoding="utf-8",
                    paragraphs=tuple(paragraphs), sentences=tuple(body),
                    clean_text="\n\n".join(text), title=f"title of {doc_id}", date="2022-04-25")


def alignment() -> Alignment:
    beads = (Bead((0,), (0,), 0.95, {"embedding": 0.8}),
             Bead((1,), (1,), 0.91, {"embedding": 0.7}),
             Bead((2, 3), (2,), 0.42, {"embedding": 0.4}),
             Bead((), (3,), 0.3),
             Bead((4,), (), 0.2))
    return Alignment("000_ru", "002_en", "ru", "en", RU, EN, beads, {"stage": "align"})


def figures(scored: bool = True) -> RunFigures:
    """A run with one aligned parallel pair, one same-event and one related pair, and two
    unpaired documents."""
    parallel = PairEvidence(coverage_src=0.9, coverage_tgt=0.9, aligned=True, length=0.9,
                            embedding=0.9, margin=0.1, sentences_src=1.0, sentences_tgt=1.0,
                            names=0.8)
    pair = DocPair("000_ru", "002_en", "parallel", 0.97, parallel, "parallel confidence 0.97")
    same_event = DocPair("001_ru", "002_en", "same-event", 0.6,
                         replace(parallel, coverage_src=0.1, sentences_src=0.3),
                         "shared sentences 0.30, same date")
    related = DocPair("003_ru", "002_en", "related", 0.55,
                      replace(parallel, coverage_src=0.0, sentences_src=0.0),
                      "topic 0.69; shared sentences 0.00, dates differ")
    bead_scores = (BeadScore(61.2, 30.1, "Tokayev received Wei Fenghe."),
                   BeadScore(55.0, 21.0, "It was noted."),
                   BeadScore(12.5, 2.0, "Results reached.", doubtful=True),
                   BeadScore(None, None, None),
                   BeadScore(None, None, "Noticed a mistake?")) if scored else None
    doc_scores = (CorpusScore("BLEU", 24.3, "nrefs:1|case:mixed|tok:13a"),
                  CorpusScore("chrF", 51.2, "nrefs:1|case:mixed|nc:6|nw:0")) if scored else ()
    grid = SimilarityGrid(((80, 10, 5, 0), (12, 70, 8, 3), (4, 9, 40, 11), (0, 2, 30, 60),
                           (1, 0, 3, 5)), "usem3")
    outcome = PairResult(pair, alignment(), (False, False, True, True, True),
                         bead_scores, doc_scores, grid,
                         {"alignment": "alignments/000_ru__002_en.jsonl",
                          "tmx": "tmx/000_ru__002_en.tmx"})
    documents = [document("000_ru", "ru", RU), document("001_ru", "ru", RU[:2]),
                 document("002_en", "en", EN), document("003_ru", "ru", RU[2:])]
    mt = (MtStatus("scored", "translate-ru_en", "Beads scored against MT by translate-ru_en.")
          if scored else MtStatus("skipped", None, "MT scoring skipped: no ru->en model "
                                  "installed; install a model with `aligner models install`"))
    return RunFigures(documents, [("corpus/logo.png", "binary file")], [pair, same_event, related],
                      ["001_ru", "003_ru"], [outcome], mt, {"stage": "run", "aligner": "0.1.0"})

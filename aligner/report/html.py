"""``report.html``: one self-contained page rendered from the report's figures.

CSS, script and plots are inlined; the page references no URL at all, so it opens offline
and leaks nothing. Every number shown comes from the dict :func:`aligner.report.build_report` made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from importlib.resources import files
from typing import Any

from aligner.report.svg import alignment_plot, histogram_plot

DOCUMENT_METRICS = ("BLEU", "chrF", "TER")
# The browser refuses any fetch: the page must work from its own bytes alone.
CONTENT_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                  "img-src data:")


def _asset(name: str) -> str:
    return files("aligner.report").joinpath(name).read_text(encoding="utf-8")


def _cell(value: Any) -> str:
    """One table cell; numbers right-aligned, ``None`` as a dash.

    >>> _cell(3), _cell(None), _cell("a<b")
    ('<td class="num">3</td>', '<td class="muted">-</td>', '<td>a&lt;b</td>')
    """
    if value is None:
        return '<td class="muted">-</td>'
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, float):
        return f'<td class="num">{value:g}</td>'
    if isinstance(value, int):
        return f'<td class="num">{value}</td>'
    return f"<td>{escape(str(value))}</td>"


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], css: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    klass = f' class="{css}"' if css else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _inline(mapping: Mapping[str, Any]) -> str:
    """A small dict as ``key value, key value``.

    >>> _inline({"1-1": 17, "1-0": 1})
    '1-1 17, 1-0 1'
    """
    return ", ".join(f"{key} {value}" for key, value in mapping.items())


def _notices(report: Mapping[str, Any]) -> str:
    """The MT status line, then one line per warning of the stages."""
    mt = report["mt"]
    klass = "notice ok" if mt["state"] == "scored" else "notice"
    lines = [f'<p class="{klass}" id="mt-status">{escape(mt["message"])}</p>']
    lines += [f'<p class="notice warning">{escape(message)}</p>'
              for message in report["warnings"]]
    return "".join(lines)


def _summary_section(report: Mapping[str, Any]) -> str:
    summary = report["summary"]
    rows = [("documents", summary["documents"]),
            ("documents by language", _inline(summary["documents_by_language"])),
            ("body sentences", summary["sentences"]),
            ("files skipped", summary["skipped_files"]),
            ("pairs by label", _inline(summary["pairs_by_label"]) or "none"),
            ("aligned pairs", summary["aligned_pairs"]),
            ("unpaired documents", summary["unpaired_documents"]),
            ("beads", summary["beads"]),
            ("bead types", _inline(summary["bead_types"]) or "none"),
            ("doubtful beads", summary["doubtful_beads"]),
            ("omitted source sentences (1-0)", summary["omitted_source_sentences"]),
            ("omitted target sentences (0-1)", summary["omitted_target_sentences"]),
            ("pairs reviewed by a person", summary["reviewed_pairs"]),
            ("beads confirmed or made by the reviewer", summary["reviewed_beads"]),
            ("reviewer's changes", _inline(summary["review_changes"]) or "none")]
    return "<h2>Corpus</h2>" + _table(("figure", "value"), rows, "summary")


def _documents_section(report: Mapping[str, Any]) -> str:
    rows = [(d["id"], d["lang"], d["lang_confidence"], d["encoding"], d["title"], d["date"],
             d["sentences"], d["paragraphs"], d["boilerplate_paragraphs"],
             "; ".join(d["warnings"]) or None) for d in report["documents"]]
    html = "<h2>Documents</h2>" + _table(
        ("id", "lang", "lang conf.", "encoding", "title", "date", "sentences", "paragraphs",
         "chrome paragraphs", "warnings"), rows)
    if report["skipped"]:
        html += "<h3>Skipped files</h3>" + _table(
            ("path", "reason"), [(s["path"], s["reason"]) for s in report["skipped"]])
    return html


def _pairing_section(report: Mapping[str, Any]) -> str:
    pairing = report["pairing"]
    rows = [(p["src_id"], p["tgt_id"], p["label"], p["confidence"], p["basis"] or None,
             _inline(p["evidence"]) or None) for p in pairing["pairs"]]
    html = "<h2>Pairing decisions</h2>" + "".join(
        f'<p class="label-meaning"><b>{escape(label)}</b>: {escape(meaning)}</p>'
        for label, meaning in pairing["labels"].items())
    html += _table(("source", "target", "label", "confidence", "decided by", "evidence"), rows,
                   "pairing") if rows else "<p>No document pairs were found.</p>"
    unpaired = ", ".join(pairing["unpaired"]) or "none"
    return html + f"<p>Unpaired documents: {escape(unpaired)}</p>"


def _metric(scores: Mapping[str, Any], family: str) -> float | None:
    """The score of the metric whose sacrebleu name starts with ``family`` (chrF2 for chrF).

    >>> _metric({"chrF2": {"score": 51.2}}, "chrF"), _metric({}, "TER")
    (51.2, None)
    """
    for name, value in scores.items():
        if name.startswith(family):
            return value["score"]
    return None


def _pairs_section(report: Mapping[str, Any]) -> str:
    rows = []
    for p in report["pairs"]:
        rows.append((p["src_id"], p["tgt_id"], p["src_sentences"], p["tgt_sentences"],
                     p["beads"], _inline(p["bead_types"]), p["mean_confidence"],
                     p["doubtful_beads"], p["null_beads"], p["reviewed_beads"],
                     *(_metric(p["mt"], name) for name in DOCUMENT_METRICS),
                     p["files"].get("tmx")))
    html = "<h2>Aligned pairs</h2>"
    if not rows:
        return html + "<p>No parallel pairs, so nothing was aligned.</p>"
    html += _table(("source", "target", "src sent.", "tgt sent.", "beads", "types",
                    "mean conf.", "doubtful", "null", "reviewed", "BLEU", "chrF", "TER", "TMX"),
                   rows)
    signatures = sorted({f'{name}: {value["signature"]}' for p in report["pairs"]
                         for name, value in p["mt"].items() if value.get("signature")})
    html += "".join(f'<p class="sig">{escape(sig)}</p>' for sig in signatures)
    return html


def _plots_section(report: Mapping[str, Any]) -> str:
    hists = report["histograms"]
    figures = [f'<figure>{histogram_plot(hists["bead_confidence"], "bead confidence")}'
               "<figcaption>Alignment confidence of every bead.</figcaption></figure>"]
    if sum(hists["bead_chrf"]["counts"]):
        figures.append(f'<figure>{histogram_plot(hists["bead_chrf"], "bead chrF")}'
                       "<figcaption>Sentence chrF of MT(source) against the target, per "
                       "bead.</figcaption></figure>")
    return "<h2>Score distributions</h2><div class=\"plots\">" + "".join(figures) + "</div>"


def _bead_row(bead: Mapping[str, Any], scored: bool) -> str:
    classes = ["bead"]
    if bead["doubtful"]:
        classes.append("doubtful")
    if not bead["src"] or not bead["tgt"]:
        classes.append("omission")
    src = escape(bead["src_text"]) if bead["src"] else "(omitted in source)"
    tgt = escape(bead["tgt_text"]) if bead["tgt"] else "(omitted in target)"
    src_class = "text" if bead["src"] else "text missing"
    tgt_class = "text" if bead["tgt"] else "text missing"
    mt = f'<div class="muted">MT: {escape(bead["mt"])}</div>' if bead["mt"] else ""
    scores = _cell(bead["chrf"]) + _cell(bead["bleu"]) if scored else ""
    return (f'<tr class="{" ".join(classes)}">{_cell(bead["type"])}'
            f'{_cell(bead["confidence"])}{scores}'
            f'<td class="{src_class}">{src}{mt}</td><td class="{tgt_class}">{tgt}</td></tr>')


def _detail(detail: Mapping[str, Any]) -> str:
    plot = alignment_plot(detail["beads"], detail["src_sentences"], detail["tgt_sentences"],
                          detail["similarity"])
    caption = ("Alignment path over sentence similarity"
               f' ({escape(detail["similarity"]["encoder"])}); rows: source, columns: target.'
               if detail["similarity"] else
               "Alignment path; boxes shaded by bead confidence; rows: source, columns: target.")
    scored = any(bead["chrf"] is not None for bead in detail["beads"])
    head = ("<tr><th>type</th><th>conf.</th>" + ("<th>chrF</th><th>BLEU</th>" if scored else "")
            + f'<th>{escape(detail["src_id"])} ({escape(detail["src_lang"])})</th>'
            f'<th>{escape(detail["tgt_id"])} ({escape(detail["tgt_lang"])})</th></tr>')
    rows = "".join(_bead_row(bead, scored) for bead in detail["beads"])
    return (f'<details class="pair" id="pair-{escape(detail["key"])}" open>'
            f'<summary>{escape(detail["src_id"])} &harr; {escape(detail["tgt_id"])}</summary>'
            f'<div class="plots"><figure>{plot}<figcaption>{caption} Red: omissions and '
            f"doubtful beads.</figcaption></figure></div>"
            f'<table class="beads"><thead>{head}</thead><tbody>{rows}</tbody></table></details>')


def _details_section(report: Mapping[str, Any]) -> str:
    if not report["details"]:
        return ""
    controls = ('<div class="controls"><label><input type="checkbox" id="doubtful-only"> '
                "only doubtful beads and omissions</label> "
                '<button type="button" id="expand-all">open all</button> '
                '<button type="button" id="collapse-all">close all</button></div>')
    more = (f'<p class="muted">Shown: the {len(report["details"])} pairs with the most doubtful '
            f'beads; {report["details_omitted"]} more are in alignments/*.jsonl.</p>'
            if report["details_omitted"] else "")
    body = "".join(_detail(detail) for detail in report["details"])
    return "<h2>Alignments side by side</h2>" + controls + body + more


def _signature_section(report: Mapping[str, Any]) -> str:
    rows = sorted(report["signature"].items())
    return "<h2>Signature</h2>" + _table(("key", "value"), rows, "signature")


def render_html(report: Mapping[str, Any]) -> str:
    """The whole page for a report dict made by :func:`aligner.report.build_report`."""
    sections = [_notices(report), _summary_section(report), _plots_section(report),
                _pairing_section(report), _pairs_section(report), _details_section(report),
                _documents_section(report), _signature_section(report)]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_POLICY}">'
            "<title>aligner report</title>"
            f"<style>{_asset('report.css')}</style></head><body>"
            "<h1>aligner report</h1>" + "".join(sections)
            + f"<script>{_asset('report.js')}</script></body></html>\n")

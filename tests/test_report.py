"""The report: figures gathered from records, and a page that needs nothing but itself."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from report_records import alignment, figures

from aligner.records import DocPair, PairResult
from aligner.report import build_report, render_html, write_report


def test_summary_counts_come_from_the_records():
    summary = build_report(figures())["summary"]
    assert summary["documents"] == 4
    assert summary["documents_by_language"] == {"en": 1, "ru": 3}
    assert summary["pairs_by_label"] == {"parallel": 1, "related": 1, "same-event": 1}
    assert summary["beads"] == 5
    assert summary["bead_types"] == {"1-1": 2, "0-1": 1, "1-0": 1, "2-1": 1}
    assert summary["doubtful_beads"] == 3
    assert (summary["omitted_source_sentences"], summary["omitted_target_sentences"]) == (1, 1)


def test_pair_rows_and_histograms_carry_the_stage_scores():
    report = build_report(figures())
    row = report["pairs"][0]
    assert row["mt"]["BLEU"] == {"score": 24.3, "signature": "nrefs:1|case:mixed|tok:13a"}
    assert row["null_beads"] == 2 and row["doubtful_beads"] == 3
    assert sum(report["histograms"]["bead_confidence"]["counts"]) == 5
    # null beads have no chrF: three scored beads, one of them in the 10-20 bin
    assert report["histograms"]["bead_chrf"]["counts"][1] == 1
    assert sum(report["histograms"]["bead_chrf"]["counts"]) == 3
    detail = report["details"][0]
    assert [bead["src_position"] for bead in detail["beads"]] == [0, 1, 2, 4, 4]
    assert [bead["tgt_position"] for bead in detail["beads"]] == [0, 1, 2, 3, 4]


def test_page_is_self_contained_and_escapes_text():
    page = render_html(build_report(figures()))
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:|//)", page)
    assert "<link" not in page and "<script src" not in page and "@import" not in page
    assert "http://" not in page and "https://" not in page
    assert "default-src 'none'" in page
    assert "&lt;b&gt;Ctrl+Enter&lt;/b&gt; &amp; «ёлочки»" in page
    assert page.count('class="bead doubtful"') == 1
    assert page.count("omission") >= 2 and "(omitted in target)" in page
    assert "nrefs:1|case:mixed|tok:13a" in page
    assert page.count("<svg") == 3  # confidence and chrF histograms, one alignment plot


def test_skipped_mt_is_said_in_one_line():
    report = build_report(figures(scored=False))
    page = render_html(report)
    notice = re.search(r'<p class="notice" id="mt-status">(.*?)</p>', page).group(1)
    assert notice.startswith("MT scoring skipped:") and "aligner models install" in notice
    assert "\n" not in notice
    assert sum(report["histograms"]["bead_chrf"]["counts"]) == 0
    assert page.count("<svg") == 2


def test_write_report_writes_the_same_figures_it_renders(tmp_path):
    report = write_report(tmp_path, figures())
    assert json.loads((tmp_path / "report.json").read_text("utf-8")) == report
    assert (tmp_path / "report.html").read_text("utf-8") == render_html(report)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.json"]


def test_pair_result_rejects_mismatched_decisions():
    pair = DocPair("000_ru", "002_en", "parallel", 0.9)
    with pytest.raises(ValueError, match="2 doubtful flags for 5 beads"):
        PairResult(pair, alignment(), (False, True))


def test_stage_warnings_are_shown_and_kept():
    report = build_report(replace(figures(), warnings=["no English ('en') documents <here>"]))
    assert report["warnings"] == ["no English ('en') documents <here>"]
    assert '<p class="notice warning">no English (&#x27;en&#x27;) documents &lt;here&gt;</p>' \
        in render_html(report)


def test_large_runs_show_the_pairs_most_in_need_of_a_look():
    run = figures()
    good = run.outcomes[0]
    many = [replace(good, pair=replace(good.pair, src_id=f"{i:03d}_ru"),
                    doubtful=(False,) * 5) for i in range(60)]
    worst = replace(good, pair=replace(good.pair, src_id="099_ru"))
    report = build_report(replace(run, outcomes=[*many, worst]))
    keys = [detail["key"] for detail in report["details"]]
    assert len(keys) == 50 and report["details_omitted"] == 11
    assert "099_ru__002_en" in keys and keys == sorted(keys)
    assert len(report["pairs"]) == 61


def test_score_columns_only_when_beads_were_scored():
    scored = render_html(build_report(figures()))
    unscored = render_html(build_report(figures(scored=False)))
    assert "<th>conf.</th><th>chrF</th><th>BLEU</th>" in scored
    assert "<th>conf.</th><th>000_ru (ru)</th>" in unscored and "61.2" not in unscored


def test_pairing_labels_are_explained_with_the_evidence_that_decided_them():
    report = build_report(figures())
    assert set(report["pairing"]["labels"]) == {"parallel", "same-event", "related"}
    assert [(p["label"], p["basis"]) for p in report["pairing"]["pairs"]] == [
        ("parallel", "parallel confidence 0.97"),
        ("same-event", "shared sentences 0.30, same date"),
        ("related", "topic 0.69; shared sentences 0.00, dates differ")]
    page = render_html(report)
    assert "<b>same-event</b>: independent reports of one event" in page
    assert "<b>related</b>: the same topic, another event" in page
    assert "<th>decided by</th>" in page and "shared sentences 0.30, same date" in page

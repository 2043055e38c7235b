"""Raw (not pre-split) news text in Chinese, Japanese, Korean, Arabic and Thai, through
``aligner ingest`` and ``aligner align``: sentences come out, and align into sentence beads.

Each document is a title and two paragraphs; its English translation has the same shape.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligner.cli import main

ENGLISH = {
    "plan": ("Government announces a new economic plan", [
        ["The government announced a new economic plan worth twenty trillion on Tuesday.",
         "The plan aims to support households struggling with high prices.",
         "The prime minister said: \u201cWe will protect people's lives.\u201d"],
        ["The opposition criticised the plan as too small.",
         "Debates in parliament are due to begin next week."]]),
    "trade": ("China and ASEAN sign a new trade agreement", [
        ["China and ASEAN countries signed a new trade agreement in Jakarta on Tuesday.",
         "The agreement will gradually remove tariffs on most goods over the next five years.",
         "The commerce minister said: \u201cThis is an important step for regional "
         "cooperation.\u201d"],
        ["According to official statistics, bilateral trade grew by twelve percent last year.",
         "Analysts believe the new agreement will further promote investment."]]),
}

# lang: (English text it translates, splitter signature, title, paragraphs of sentences)
RAW = {
    "zh": ("trade", "rules:cjk-v1", "中国与东盟签署新的贸易协定", [
        ["中国与东盟国家周二在雅加达签署了一项新的贸易协定。",
         "该协定将在未来五年内逐步取消大部分商品的关税。",
         "商务部长表示：“这是区域合作的重要一步。”"],
        ["据官方统计，去年双边贸易额增长了百分之十二。", "分析人士认为，新协定将进一步促进投资。"]]),
    "ja": ("plan", "rules:cjk-v1", "政府が新たな経済対策を発表", [
        ["政府は火曜日、総額２０兆円の新たな経済対策を発表した。",
         "物価高に苦しむ家計を支援するのが狙いだ。",
         "首相は「国民の生活を守る。」と述べた。"],
        ["野党は対策の規模が小さすぎると批判している。", "国会での審議は来週始まる予定だ。"]]),
    "ko": ("plan", "rules:korean-v1", "정부, 새로운 경제 대책 발표", [
        ["정부는 화요일 총 20조 원 규모의 새로운 경제 대책을 발표했다.",
         "이번 대책은 고물가로 어려움을 겪는 가계를 지원하기 위한 것이다.",
         "총리는 “국민의 삶을 지키겠다.”라고 말했다."],
        ["야당은 대책의 규모가 너무 작다고 비판했다.", "국회 심의는 다음 주에 시작될 예정이다."]]),
    "ar": ("plan", "rules:arabic-v1", "الحكومة تعلن عن خطة اقتصادية جديدة", [
        ["أعلنت الحكومة يوم الثلاثاء عن خطة اقتصادية جديدة بقيمة عشرين تريليون.",
         "وتهدف الخطة إلى دعم الأسر التي تعاني من ارتفاع الأسعار.",
         "وقال رئيس الوزراء: «سنحمي حياة المواطنين.»"],
        ["وانتقدت المعارضة الخطة، معتبرة أنها صغيرة جدا.",
         "ومن المقرر أن تبدأ المناقشات في البرلمان الأسبوع المقبل."]]),
    "th": ("plan", "rules:thai-v1", "รัฐบาลประกาศแผนเศรษฐกิจใหม่", [
        ["รัฐบาลประกาศแผนเศรษฐกิจใหม่มูลค่ายี่สิบล้านล้านเมื่อวันอังคาร",
         "แผนนี้มีเป้าหมายเพื่อช่วยเหลือครัวเรือนที่ได้รับผลกระทบจากราคาสินค้าที่สูงขึ้น",
         "นายกรัฐมนตรีกล่าวว่ารัฐบาลจะปกป้องชีวิตของประชาชน"],
        ["ฝ่ายค้านวิจารณ์ว่าแผนนี้มีขนาดเล็กเกินไป",
         "การอภิปรายในรัฐสภาจะเริ่มขึ้นในสัปดาห์หน้า"]]),
}
UNSPACED = ("zh", "ja")  # sentences follow each other without a space


def _page(title: str, paragraphs: list[list[str]], lang: str) -> str:
    joiner = "" if lang in UNSPACED else " "
    return "\n\n".join([title] + [joiner.join(sentences) for sentences in paragraphs]) + "\n"


def _write_pair(tmp_path: Path, lang: str) -> tuple[str, str]:
    story, _, title, paragraphs = RAW[lang]
    src = tmp_path / f"news.{lang}.txt"
    src.write_text(_page(title, paragraphs, lang), encoding="utf-8")
    tgt = tmp_path / "news.en.txt"
    tgt.write_text(_page(*ENGLISH[story], "en"), encoding="utf-8")
    return str(src), str(tgt)


def _write_hindi(folder: Path) -> Path:
    """A Hindi page: no splitter serves Hindi (its sentences end with ।)."""
    hindi = folder / "news.hi.txt"
    hindi.write_text("सरकार ने मंगलवार को नई आर्थिक योजना की घोषणा की। विपक्ष ने इसकी आलोचना "
                     "की। संसद में बहस अगले सप्ताह शुरू होगी।\n", encoding="utf-8")
    return hindi


@pytest.mark.parametrize("lang", sorted(RAW))
def test_raw_text_is_split_and_aligned_into_sentence_beads_with_the_splitter_signed(
        tmp_path: Path, lang: str) -> None:
    src, tgt = _write_pair(tmp_path, lang)
    _, splitter, title, paragraphs = RAW[lang]
    result = CliRunner().invoke(main, ["ingest", src, "--quiet"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["lang"] == lang and record["title"] == title
    assert [s["text"] for s in record["sentences"]] == [s for p in paragraphs for s in p]
    assert record["signature"]["splitter"] == splitter

    out = tmp_path / "beads.jsonl"
    result = CliRunner().invoke(main, ["align", src, tgt, "--format", "jsonl", "-o", str(out),
                                       "--quiet"])
    assert result.exit_code == 0, result.output
    header, *beads = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [(bead["src"], bead["tgt"]) for bead in beads] == [([i], [i]) for i in range(5)]
    assert header["signature"]["src_splitter"] == splitter
    assert header["signature"]["tgt_splitter"] == "punkt:english+news-rules"


def test_a_language_without_a_splitter_is_a_one_line_error(tmp_path: Path) -> None:
    hindi = _write_hindi(tmp_path)
    _, english = _write_pair(tmp_path, "ja")
    out = tmp_path / "never.jsonl"
    for args in (["align", str(hindi), english, "-o", str(out)], ["ingest", str(hindi)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1 and not out.exists()
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and str(hindi) in lines[0]
        assert "no sentence splitter for language 'hi' (supported: af, ar," in lines[0]
        assert "identified with confidence" in lines[0]


def test_run_pairs_and_aligns_raw_chinese_and_signs_each_splitter(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _write_pair(folder, "zh")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(folder), "-o", str(out), "--src-lang", "zh",
                                       "--tgt-lang", "en", "--quiet"])
    assert result.exit_code == 0, result.output
    signature = json.loads((out / "signature.json").read_text("utf-8"))
    assert signature["ingest.splitter.zh"] == "rules:cjk-v1"
    assert signature["ingest.splitter.en"] == "punkt:english+news-rules"
    pair = json.loads((out / "alignments" / "news.zh__news.en.jsonl").read_text("utf-8")
                      .splitlines()[0])
    assert pair["pair"]["label"] == "parallel" and pair["beads"] == 5


def test_a_file_without_a_splitter_in_a_folder_is_skipped_and_named(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _write_pair(folder, "ko")
    hindi = _write_hindi(folder)
    out = tmp_path / "docs.jsonl"
    result = CliRunner().invoke(main, ["ingest", str(folder), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["languages"] == {"en": 1, "ko": 1} and summary["documents"] == 2
    assert [skip["path"] for skip in summary["skipped"]] == [str(hindi)]
    assert "no sentence splitter for language 'hi'" in summary["skipped"][0]["reason"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_page_of_one_paragraph_is_body_not_a_title(tmp_path: Path, lang: str) -> None:
    """Raw text pasted as one paragraph (no blank lines) must still give its sentences."""
    story, _, _, paragraphs = RAW["zh"]
    english = ENGLISH[story][1]
    sentences = paragraphs[0] if lang == "zh" else english[0]
    page = tmp_path / f"one.{lang}.txt"
    page.write_text(("" if lang == "zh" else " ").join(sentences) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", str(page), "--quiet"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["title"] is None and [s["text"] for s in record["sentences"]] == sentences

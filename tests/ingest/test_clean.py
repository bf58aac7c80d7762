import re
import time
from pathlib import Path

import pytest

from ingest.clean import clean_text
from vectorstore.text import normalize_for_match

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.txt"))


def corpus_text(prefix: str) -> str:
    (path,) = [p for p in CORPUS_FILES if p.name.startswith(prefix)]
    return path.read_text(encoding="utf-8")


# --- small cases --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("我们分享心得体会。笔杆儿网www.bgzjy.cn\n下一段。", "我们分享心得体会。\n下一段。"),
        ("开创新局面。笔杆儿网，www.biganzijiayuan.com", "开创新局面。"),
        ("增强主动性笔杆儿网，www.biganzijiayuan.com和积极性。", "增强主动性和积极性。"),
        ("全面提速提效。 笔杆儿网www.bgzjy.cn", "全面提速提效。"),
        ("请登录政务服务网办理。", "请登录政务服务网办理。"),  # a real site name is kept
    ],
)
def test_inline_ads_removed_keeping_the_sentence(raw: str, expected: str) -> None:
    cleaned = clean_text(raw)
    assert cleaned.text == expected
    if raw != expected:
        assert any("笔杆儿网" in r for r in cleaned.removed)


def test_navigation_and_date_line() -> None:
    raw = "您的位置:新文秘网>>政府/政务讲话/>>正文\n\n讲话标题\n\n发表时间:2025/7/2 23:02:35\n同志们:\n正文。"
    cleaned = clean_text(raw)
    assert cleaned.text == "讲话标题\n同志们：\n正文。"
    assert cleaned.date == "2025-07-02"
    assert "发表时间:2025/7/2 23:02:35" in cleaned.removed


def test_impossible_date_is_not_kept() -> None:
    assert clean_text("发表时间:2025/13/40 10:00\n正文。").date is None


def test_table_of_contents_removed_body_headings_kept() -> None:
    raw = "标题\n目录/提纲:……\n一、第一部分\n(一)第一小节\n二、第二部分\n……\n标题\n一、第一部分\n(一)第一小节\n内容。\n二、第二部分\n内容。"
    cleaned = clean_text(raw)
    assert cleaned.text == "标题\n标题\n一、第一部分\n（一）第一小节\n内容。\n二、第二部分\n内容。"


def test_omitted_note_records_truncation_offset() -> None:
    raw = "第一段开头。\n第一段被截断的句\n……(新文秘网http://www.wm114.cn省略985字,正式会员可完整阅读)…… \n\n\n第二段。"
    cleaned = clean_text(raw)
    assert cleaned.text == "第一段开头。\n第一段被截断的句\n第二段。"
    (cut,) = cleaned.truncated_at
    assert cleaned.text[:cut].endswith("第一段被截断的句")


def test_unfinished_note_ends_its_speech_and_keeps_what_follows() -> None:
    raw = "正文句子。导致能力不足, ……(未完,全文共6001字,当前仅显示2766字,请阅读下面提示信息。收藏《讲话》\n下一篇讲话\n同志们：正文。"
    cleaned = clean_text(raw)
    assert cleaned.text == "正文句子。导致能力不足，\n下一篇讲话\n同志们：正文。"
    end = len("正文句子。导致能力不足，")
    assert cleaned.truncated_at == (end,) and cleaned.speech_ends == (end,)
    assert "未完" not in cleaned.text


def test_bundle_preface_pager_and_editor_lines() -> None:
    raw = (
        "最新在会议上讲话(实用2篇)\n"
        "总结不仅仅是一种动作,更是一种态度。\n"
        "在会议上讲话篇一\n同志们:\n第一篇正文。\n共\n2\n页,当前第。\n1\n页\n1\n2\n"
        "在会议上讲话篇二\n下面是小编为大家整理的,供大家参考。\n第二篇正文。"
    )
    cleaned = clean_text(raw)
    assert cleaned.text == "在会议上讲话篇一\n同志们：\n第一篇正文。\n在会议上讲话篇二\n第二篇正文。"
    assert "最新在会议上讲话(实用2篇)" in cleaned.removed


def test_text_without_boilerplate_is_only_normalised() -> None:
    raw = "同志们:\n\n  今天,我们召开会议。  \n谢谢大家!"
    cleaned = clean_text(raw)
    assert cleaned.text == "同志们：\n今天，我们召开会议。\n谢谢大家！"
    assert cleaned.removed == [] and cleaned.date is None and cleaned.truncated_at == ()


# --- the corpus ---------------------------------------------------------------------------

# The test's own description of the corpus boilerplate, written independently of clean.py.
INLINE_BOILERPLATE = [
    re.compile(r"笔杆儿网[，,]?(?:www\.[a-z.]+)?"),
    re.compile(r"…*\(新文秘网[^)]*省略\d+字[^)]*\)…*"),
    re.compile(r"…*\(未完,[^\n]*"),  # the note runs to the end of its line
]
BOILERPLATE_LINE = re.compile(r"^(?:您的位置|发表时间)|小编|为大家整理|共$|^页|^\d+$")


def boilerplate_free_lines(raw: str) -> list[str]:
    for pattern in INLINE_BOILERPLATE:
        raw = pattern.sub("", raw)
    lines = [line.strip() for line in raw.split("\n")]
    keep = []
    in_toc = False
    for i, line in enumerate(lines):
        if line.startswith("目录/提纲"):
            in_toc = True
            continue
        if in_toc:
            in_toc = line != "……"
            continue
        if i < 2 and "(实用20篇)" in lines[0]:
            continue  # the bundle's title and blurb
        if BOILERPLATE_LINE.search(line):
            continue
        keep.append(line)
    return keep


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:3])
def test_no_sentence_of_the_speech_is_lost(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    cleaned = normalize_for_match(clean_text(raw).text)
    checked = 0
    missing = []
    for line in boilerplate_free_lines(raw):
        for sentence in re.split(r"[。！？；!?;]", line):
            if not re.search(r"[\u4e00-\u9fff]", sentence):
                continue
            checked += 1
            if normalize_for_match(sentence) not in cleaned:
                missing.append(sentence)
    assert missing == []
    assert checked >= 20


def test_corpus_sentence_count_is_substantial() -> None:
    total = sum(
        len(re.split(r"[。！？；!?;]", "\n".join(boilerplate_free_lines(p.read_text(encoding="utf-8")))))
        for p in CORPUS_FILES
    )
    assert total > 2000


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:3])
def test_no_ads_remain(path: Path) -> None:
    cleaned = clean_text(path.read_text(encoding="utf-8"))
    for ad in ("笔杆儿网", "新文秘网", "www.", "http", "您的位置", "发表时间", "小编", "省略", "(未完", "（未完"):
        assert ad not in cleaned.text, ad


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:3])
def test_cleaning_is_stable(path: Path) -> None:
    cleaned = clean_text(path.read_text(encoding="utf-8"))
    again = clean_text(cleaned.text)
    assert again.text == cleaned.text
    assert again.removed == []


def test_003_date_toc_and_truncations() -> None:
    cleaned = clean_text(corpus_text("003"))
    assert cleaned.date == "2025-07-02"
    assert "目录" not in cleaned.text
    # The table of contents is gone; each heading is left once, in the body.
    assert cleaned.text.count("（一）“四强”党支部建设是强化政务服务政治属性的必然要求") == 1
    assert cleaned.text.count("（三）党员队伍先锋作用发挥不充分") == 1
    assert len(cleaned.truncated_at) == 2
    first, last = cleaned.truncated_at
    assert cleaned.text[:first].endswith("直接关系到党和政府在群")
    assert cleaned.text[first:].startswith("\n一是压实党建工作责任")
    assert last == len(cleaned.text)
    assert cleaned.text.endswith("导致创新能力不足，")


def test_004_preface_removed() -> None:
    cleaned = clean_text(corpus_text("004"))
    assert cleaned.text.startswith("在县政务服务中心工作会议上讲话篇一\n")
    assert "实用20篇" not in cleaned.text
    assert "总结不仅仅是一种动作" not in cleaned.text
    assert "当前第" not in cleaned.text


def test_001_ads_removed_mid_sentence() -> None:
    cleaned = clean_text(corpus_text("001"))
    assert "切实增强做好政务服务工作的主动性和积极性\n" in cleaned.text
    assert cleaned.text.count("笔杆儿网") == 0
    assert sum("笔杆儿网" in r for r in cleaned.removed) == 9


@pytest.mark.parametrize(
    "raw",
    ["政务服务中心窗口办理事项" * 170_000, "a" * 2_000_000, ("x" * 100_000 + "笔杆儿网") * 20],
    ids=["chinese", "ascii", "ascii-with-ads"],
)
def test_two_megabytes_without_punctuation_clean_quickly(raw: str) -> None:
    # Guards against regexes that backtrack quadratically on long runs without punctuation.
    started = time.perf_counter()
    cleaned = clean_text(raw)
    assert time.perf_counter() - started < 10
    assert "笔杆儿网" not in cleaned.text
    assert len(cleaned.text) >= len(raw) * 0.9

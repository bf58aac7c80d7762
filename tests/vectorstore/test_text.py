from pathlib import Path

import pytest

from vectorstore.text import (
    BM25_STOPWORDS,
    FUNCTION_WORDS,
    TOPICLESS_WORDS,
    copy_key,
    fold,
    fold_width,
    has_word,
    match_form,
    normalize_for_match,
    normalize_text,
    pair_tokens,
    word_chars,
)

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣｘｙｚ０１２３", "ABCxyz0123"),
        ("同志们:今天,我们开会(一)!对吗?是;", "同志们：今天，我们开会（一）！对吗？是；"),
        ("发表时间:2025/7/2 23:02:35", "发表时间：2025/7/2 23:02:35"),
        ("累计1,000件,增长3.5%", "累计1,000件，增长3.5%"),
        ("第一行\r\n第二行\r第三行", "第一行\n第二行\n第三行"),
        ("10月16 日上午", "10月16日上午"),
        ("政务 服务\t中心", "政务服务中心"),
        ("政务　服务", "政务服务"),  # ideographic space
        ("不足， ……", "不足，……"),
        ("使用  App   办理", "使用 App 办理"),
        ("  甲  \n\n \n  乙 ", "甲\n乙"),
        ("Hello, world (test)!", "Hello, world (test)!"),  # no Chinese on the line: left alone
        ("（2）落实责任", "（2）落实责任"),
        ("(2)落实责任", "（2）落实责任"),
        ("\ufeff同志们\u200b：", "同志们："),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


TRICKY = [
    "1 ,2 个政务 服务",
    "时间 : 23 : 02 ,共 3 项",
    "(一) 提高政治站位 ,深刻认识 ( 重要意义 )",
    "ＡＢ　ｃ　１０月 １６ 日\r\n\r\n  下一段 ：结束 。",
    "“四强” 党支部 …… (未完)",
    "x\u3000,\u30001,000 件",
]


@pytest.mark.parametrize("raw", TRICKY)
def test_normalize_text_is_idempotent(raw: str) -> None:
    once = normalize_text(raw)
    assert normalize_text(once) == once


def test_normalize_text_is_idempotent_on_corpus() -> None:
    files = sorted(CORPUS.glob("*.txt"))
    assert files
    for path in files:
        once = normalize_text(path.read_text(encoding="utf-8"))
        assert normalize_text(once) == once, path.name
        assert "\n\n" not in once
        assert all(line == line.strip() for line in once.split("\n"))


def test_normalize_for_match_removes_all_whitespace() -> None:
    assert normalize_for_match("政务 服务\n中心, 2025 Web App") == "政务服务中心，2025WebApp"


def test_evidence_with_half_width_punctuation_matches_cleaned_chunk() -> None:
    evidence = "(一)“四强”党支部建设是强化政务服务政治属性的必然要求"
    chunk = "（一）“四强”党支部建设是强化政务服务政治属性的必然要求\n政务服务中心作为……"
    assert normalize_for_match(evidence) in normalize_for_match(chunk)


def test_fold_is_the_form_tokenizers_emit() -> None:
    assert fold("１２３４５热线ＡＰＰ") == "12345热线app"


def test_fold_width_keeps_every_offset() -> None:
    text = "推行“３２１６０８”ＡＰＰ　审批"
    folded = fold_width(text)
    assert folded == "推行“321608”app 审批"
    assert len(folded) == len(text)
    assert text[folded.index("321608"):][:6] == "３２１６０８"


def test_word_characters_are_letters_digits_and_ideographs() -> None:
    assert word_chars("“最多跑一次”改革？ABC-12") == "最多跑一次改革ABC12"
    assert has_word("？？abc") and has_word("审") and not has_word("？！…… 😀")


def test_pair_tokens_keep_a_one_character_run_whole() -> None:
    assert pair_tokens("政务服务，办 A12") == ["政务", "务服", "服务", "办", "a1", "12"]


def test_copies_of_a_passage_share_their_copy_key() -> None:
    assert copy_key("推行xx市“一窗受理”，阳光审批·优质服务。") == copy_key("推行x市 一窗受理,阳光审批优质服务")
    assert copy_key("现有党支部___个") != copy_key("现有党支部个")  # a blank is a word of the passage


def test_match_form_ignores_punctuation_width_and_case() -> None:
    assert match_form("推行“ＡＰＰ”审批, 机制。") == match_form("推行app审批机制")
    assert match_form("①审批") != match_form("审批")


def test_stopword_lists_share_the_function_words() -> None:
    assert FUNCTION_WORDS <= BM25_STOPWORDS and FUNCTION_WORDS <= TOPICLESS_WORDS
    assert "介绍" in TOPICLESS_WORDS and "介绍" not in BM25_STOPWORDS
    assert "通过" in BM25_STOPWORDS and "通过" not in TOPICLESS_WORDS


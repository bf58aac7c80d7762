from pathlib import Path

import pytest

from vectorstore.text import normalize_for_match, normalize_text

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

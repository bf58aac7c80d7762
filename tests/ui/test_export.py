"""Conversation export: Markdown with the citations as footnotes."""
from __future__ import annotations

import datetime as dt
import re

from ui.chat.export import conversation_markdown, export_file_name
from vectorstore.records import Answer, Chunk, Citation, ScoredChunk

NOW = dt.datetime(2026, 1, 2, 3, 4)


def chunk(cid: str, text: str, title: str = "在县政务服务中心工作会议上的讲话", **kw) -> Chunk:
    return Chunk(id=cid, doc_id="d-" + cid, title=title, section_path=kw.pop("section_path", "二、重点工作"),
                 paragraph=0, start=0, end=len(text), text=text, **kw)


def cited_answer() -> Answer:
    c1 = chunk("a", "开头一句。企业开办压缩到1个工作日。后面的话。", date="2025-07-02")
    c2 = chunk("b", "实行“一窗受理”。其他内容。", also_in=("在市政务服务工作会议上的讲话",))
    start = c1.text.index("企业")
    return Answer(
        question="企业开办要几天？",
        text="企业开办压缩到1个工作日[1]，并实行一窗受理[2]。两者并行[1,2]。",
        citations=[Citation(1, c1, ((start, start + len("企业开办压缩到1个工作日。")),)),
                   Citation(2, c2, ((0, 8),))],
        mode="llm",
    )


def test_markers_become_footnote_references_with_one_definition_each():
    md = conversation_markdown([cited_answer()], now=NOW)
    assert "企业开办压缩到1个工作日[^1-1]，并实行一窗受理[^1-2]。两者并行[^1-1][^1-2]。" in md
    definitions = re.findall(r"^\[\^(1-\d)\]: (.*)$", md, flags=re.M)
    assert [label for label, _ in definitions] == ["1-1", "1-2"]
    first, second = (text for _, text in definitions)
    assert first.startswith("《在县政务服务中心工作会议上的讲话》，二、重点工作，2025年7月2日")
    assert "“企业开办压缩到1个工作日。”" in first and "开头一句" not in first  # the supporting sentence
    assert "也见于：《在市政务服务工作会议上的讲话》" in second
    assert "导出时间：2026-01-02 03:04" in md


def test_every_reference_has_a_definition_across_several_answers():
    follow = cited_answer()
    follow.question, follow.rewritten = "那一窗呢？", "一窗受理是什么？"
    md = conversation_markdown([cited_answer(), follow], now=NOW)
    refs = set(re.findall(r"\[\^([\d-]+)\](?!:)", md))
    defs = set(re.findall(r"^\[\^([\d-]+)\]:", md, flags=re.M))
    assert refs == defs == {"1-1", "1-2", "2-1", "2-2"}
    assert "## 2. 那一窗呢？" in md
    assert "> 理解为：一窗受理是什么？" in md


def test_refusal_lists_the_nearest_passages():
    near = [ScoredChunk(chunk(str(i), f"第{i}段相关内容。"), score=1.0 / (i + 1)) for i in range(5)]
    refused = Answer(question="居住证怎么办？", text="资料中未找到：没有直接相关的内容。", refused=True,
                     retrieved=near)
    md = conversation_markdown([refused], now=NOW)
    assert "可能相关：" in md
    assert md.count("相关内容。") == 3  # the nearest three, not all five
    assert "[^" not in md


def test_unknown_marker_is_left_as_written_and_empty_conversation_says_so():
    a = Answer(question="问？", text="答[7]。", citations=[])
    assert "答[7]。" in conversation_markdown([a], now=NOW)
    assert "（对话为空）" in conversation_markdown([], now=NOW)


def test_file_name_is_stamped():
    assert export_file_name(NOW) == "zwqa-对话-20260102-0304.md"


def test_status_notes_are_exported_and_prompt_echo_is_not():
    fallback = cited_answer()
    fallback.text = "资料编号=1：企业开办压缩到1个工作日[1]。"
    fallback.notes = ["模型的回答无法在来源中核实，已改为给出原文摘录"]
    refused = Answer(question="居住证怎么办？", text="资料中未找到：没有直接相关的内容。", refused=True,
                     notes=["已按侧栏的检索范围筛选"])
    md = conversation_markdown([fallback, refused], now=NOW)
    assert "> 说明：模型的回答无法在来源中核实，已改为给出原文摘录" in md
    assert "> 说明：已按侧栏的检索范围筛选" in md
    assert "资料编号" not in md and "企业开办压缩到1个工作日[^1-1]。" in md

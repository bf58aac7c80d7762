"""Conversations saved on the server, one JSON file each, and read back whole."""
from __future__ import annotations

import json

from ui.chat import conversations as conv
from vectorstore.records import Answer, Chunk, Citation, ScoredChunk


def cited_answer(question: str = "321608审批机制是什么？") -> Answer:
    text = "县政务服务中心推行“321608”审批机制，企业开办1个工作日办结。"
    chunk = Chunk(id="c1", doc_id="d1", title="在全县政务服务系统“四强”党支部建设推进会议上的讲话",
                  section_path="二、总结工作成效 > （一）以理论学习为着力点", paragraph=3, start=10,
                  end=10 + len(text), text=text, source="003.txt", date="2025-07-02",
                  also_in=("在县政务服务中心工作会议上讲话（篇三）",), also_in_ids=("d3",))
    return Answer(question=question, text="讲话原文中的相关表述：“…”[1]",
                  citations=[Citation(1, chunk, ((0, 20),))],
                  retrieved=[ScoredChunk(chunk, 0.8, dense=0.7, bm25=3.1, dense_rank=1)],
                  timings_ms={"total": 812.5}, mode="llm", rewritten="321608审批机制的时限？",
                  notes=["模型的回答无法在来源中核实，已改为给出原文摘录"])


def test_a_conversation_round_trips_whole(tmp_path):
    cid = conv.new_id()
    answers = [cited_answer(), Answer(question="火星上的恐龙吃什么？", text="资料中未找到。",
                                      refused=True)]
    conv.save_conversation(tmp_path, cid, answers)
    assert [p.name for p in tmp_path.iterdir()] == [f"{cid}.json"]
    assert conv.load_conversation(tmp_path, cid) == answers
    listed = conv.list_conversations(tmp_path)
    assert [(c.id, c.title) for c in listed] == [(cid, "321608审批机制是什么？")]


def test_rename_keeps_the_answers_and_delete_removes_the_file(tmp_path):
    cid = conv.new_id()
    conv.save_conversation(tmp_path, cid, [cited_answer()])
    conv.rename_conversation(tmp_path, cid, "  审批 机制  ")
    assert conv.list_conversations(tmp_path)[0].title == "审批 机制"
    conv.save_conversation(tmp_path, cid, [cited_answer(), cited_answer("那它的时限呢？")])
    assert conv.list_conversations(tmp_path)[0].title == "审批 机制"  # a new answer keeps the name
    assert len(conv.load_conversation(tmp_path, cid)) == 2
    conv.delete_conversation(tmp_path, cid)
    assert conv.list_conversations(tmp_path) == [] and conv.load_conversation(tmp_path, cid) is None


def test_untrusted_ids_and_broken_files_are_refused(tmp_path):
    assert conv.load_conversation(tmp_path, "../../etc/passwd") is None
    assert not conv.valid_id("ABC") and conv.valid_id(conv.new_id())
    cid = conv.new_id()
    (tmp_path / f"{cid}.json").write_text("{不是 JSON", encoding="utf-8")
    assert conv.load_conversation(tmp_path, cid) is None
    assert conv.list_conversations(tmp_path) == []


def test_long_first_question_names_the_conversation_shortly(tmp_path):
    cid = conv.new_id()
    conv.save_conversation(tmp_path, cid, [cited_answer("请问" + "政务服务" * 20)])
    title = json.loads((tmp_path / f"{cid}.json").read_text(encoding="utf-8"))["title"]
    assert len(title) == conv.TITLE_CHARS and title.endswith("…")

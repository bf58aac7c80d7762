"""👍/👎 ratings: one JSON line each, with question, answer and citations."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from ui.chat.feedback import FILE_NAME, feedback_folder, rating_from_widget, save_feedback
from vectorstore.records import Answer, Chunk, Citation


def answer() -> Answer:
    text = "开头。压缩审批时限。结尾。"
    c = Chunk(id="c1", doc_id="d1", title="讲话甲", section_path="一、要求", paragraph=2, start=40,
              end=40 + len(text), text=text)
    return Answer(question="审批时限怎么压缩？", text="压缩审批时限[1]。", citations=[Citation(1, c, ((3, 10),))],
                  mode="extractive")


def test_ratings_append_json_lines(tmp_path):
    folder = feedback_folder(tmp_path)
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    path = save_feedback(folder, answer(), "up", now=when)
    save_feedback(folder, answer(), "down", now=when, reason="  引用的段落和问题无关 ")
    assert path == tmp_path / "feedback" / FILE_NAME
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["rating"] for r in rows] == ["up", "down"]
    assert [r["reason"] for r in rows] == ["", "引用的段落和问题无关"]
    r = rows[0]
    assert r["time"] == "2026-01-02T03:04:05+00:00"
    assert r["question"] == "审批时限怎么压缩？" and r["answer"] == "压缩审批时限[1]。"
    assert r["citations"] == [{
        "n": 1, "chunk_id": "c1", "doc_id": "d1", "title": "讲话甲", "section_path": "一、要求",
        "start": 40, "end": 53, "highlights": [[3, 10]], "quote": "压缩审批时限。",
    }]


def test_widget_values_and_bad_rating(tmp_path):
    assert rating_from_widget(1) == "up"
    assert rating_from_widget(0) == "down"
    assert rating_from_widget(None) is None
    with pytest.raises(ValueError):
        save_feedback(tmp_path, answer(), "meh")
    assert not (tmp_path / FILE_NAME).exists()

"""JSON lines of questions in and answers out, shared by `zwqa ask --batch`, eval and the UI's export.

An answer line:
    {"id", "question", "answer", "refused", "rewritten",
     "citations": [{"n", "doc_id", "title", "section_path", "text", "highlights"}],
     "retrieved": [{"doc_id", "title", "section_path", "text", "score"}],   # rank order
     "timings_ms"}
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from vectorstore.records import Answer, Citation, ScoredChunk


@dataclass(frozen=True)
class QuestionLine:
    """One usable line of a question file: its line number, id, question and the whole object."""

    line_no: int
    id: str
    question: str
    fields: dict


@dataclass(frozen=True)
class BadLine:
    """A line of a question file that was skipped, and why (in Chinese, for stderr)."""

    line_no: int
    reason: str


def json_lines(lines: Iterable[str]) -> Iterator[tuple[int, object]]:
    """Yield (line number, value) for each non-blank line of a JSON-lines file; the value is
    the json.JSONDecodeError when the line is not JSON."""
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield line_no, json.loads(line)
        except json.JSONDecodeError as e:
            yield line_no, e


def parse_question_lines(lines: Iterable[str]) -> Iterator[QuestionLine | BadLine]:
    """Yield each non-blank line as a QuestionLine, or a BadLine when it is not a JSON object
    with a non-empty "id" (string or number) and a string "question"; other fields are kept."""
    for line_no, obj in json_lines(lines):
        if isinstance(obj, json.JSONDecodeError):
            yield BadLine(line_no, f"不是合法的 JSON（{obj.msg}，第 {obj.colno} 列）")
            continue
        if not isinstance(obj, dict):
            yield BadLine(line_no, "不是 JSON 对象")
            continue
        qid = obj.get("id")
        if isinstance(qid, bool) or not isinstance(qid, (str, int)) or str(qid).strip() == "":
            yield BadLine(line_no, "缺少 id 字段")
            continue
        question = obj.get("question")
        if not isinstance(question, str):
            yield BadLine(line_no, "缺少 question 字段（应为字符串）")
            continue
        yield QuestionLine(line_no, str(qid), question, obj)


def citation_to_dict(c: Citation) -> dict:
    """Return a citation as a JSON-ready dict; highlights are [start, end] offsets into text."""
    return {
        "n": c.n,
        "doc_id": c.chunk.doc_id,
        "title": c.chunk.title,
        "section_path": c.chunk.section_path,
        "text": c.chunk.text,
        "highlights": [list(h) for h in c.highlights],
    }


def retrieved_to_dict(hit: ScoredChunk) -> dict:
    """Return a retrieved chunk as a JSON-ready dict with the score it was ranked by."""
    return {
        "doc_id": hit.chunk.doc_id,
        "title": hit.chunk.title,
        "section_path": hit.chunk.section_path,
        "text": hit.chunk.text,
        "score": round(float(hit.score), 6),
    }


def answer_to_dict(answer: Answer, id: str | None = None) -> dict:
    """Return the answer line of one question (see the module docstring)."""
    return {
        "id": id,
        "question": answer.question,
        "answer": answer.text,
        "refused": answer.refused,
        "rewritten": answer.rewritten,
        "citations": [citation_to_dict(c) for c in answer.citations],
        "retrieved": [retrieved_to_dict(h) for h in answer.retrieved],
        "timings_ms": dict(answer.timings_ms),
    }


def invalid_question_dict(id: str | None, question: str, message: str) -> dict:
    """Return the answer line of a question that could not be searched: refused, with the
    message as the answer and nothing cited or retrieved."""
    return {
        "id": id,
        "question": question,
        "answer": message,
        "refused": True,
        "rewritten": None,
        "citations": [],
        "retrieved": [],
        "timings_ms": {},
    }


def to_json_line(obj: dict) -> str:
    """Return obj as one line of JSON (Chinese kept readable), without the newline."""
    return json.dumps(obj, ensure_ascii=False)

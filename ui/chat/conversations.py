"""Conversations kept on the server: one JSON file per conversation under the data folder.

A file holds {"id", "title", "updated", "answers": [Answer as plain data]}; answers round-trip
whole (citations with their chunks, the passages retrieved, notes), so a reload draws the same
page. Nothing here imports Streamlit.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from vectorstore.files import write_atomic
from vectorstore.records import Answer, Chunk, Citation, ScoredChunk

FOLDER = "conversations"
TITLE_CHARS = 20  # a new conversation is named after the start of its first question
_ID = re.compile(r"[0-9a-f]{12}")


@dataclass(frozen=True)
class ConversationInfo:
    """What the sidebar lists of one saved conversation."""

    id: str
    title: str
    updated: str  # ISO time of the last change


def conversations_folder(data_dir: Path) -> Path:
    return Path(data_dir) / FOLDER


def new_id() -> str:
    """Return a fresh conversation id (also what the page's URL carries)."""
    return secrets.token_hex(6)


def valid_id(value: str | None) -> bool:
    """Return whether value can be a conversation id (a URL parameter is untrusted)."""
    return bool(value) and bool(_ID.fullmatch(value))


def default_title(answers: list[Answer]) -> str:
    """Return a conversation's name from its first question."""
    if not answers:
        return "新对话"
    q = re.sub(r"\s+", " ", answers[0].question).strip()
    return q if len(q) <= TITLE_CHARS else q[: TITLE_CHARS - 1] + "…"


def answer_from_dict(d: dict) -> Answer:
    """Return the Answer a saved dict (dataclasses.asdict of one) describes."""
    citations = [Citation(n=c["n"], chunk=Chunk.from_dict(c["chunk"]),
                          highlights=tuple(tuple(h) for h in c["highlights"]))
                 for c in d.get("citations", [])]
    retrieved = [ScoredChunk(**{**h, "chunk": Chunk.from_dict(h["chunk"])})
                 for h in d.get("retrieved", [])]
    fields = {k: v for k, v in d.items() if k not in ("citations", "retrieved")}
    return Answer(**fields, citations=citations, retrieved=retrieved)


def _path(folder: Path, conversation_id: str) -> Path:
    if not valid_id(conversation_id):
        raise ValueError(f"不是对话编号：{conversation_id!r}")
    return Path(folder) / f"{conversation_id}.json"


def save_conversation(folder: Path, conversation_id: str, answers: list[Answer],
                      title: str | None = None) -> None:
    """Write the conversation's file (atomically: a crash leaves the old file or the new one).
    Its title is kept unless one is given; a new conversation is named after its question."""
    path = _path(folder, conversation_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = _read(path)
    record = {
        "id": conversation_id,
        "title": title or (old or {}).get("title") or default_title(answers),
        "updated": _dt.datetime.now().isoformat(timespec="seconds"),
        "answers": [asdict(a) for a in answers],
    }
    write_atomic(path, json.dumps(record, ensure_ascii=False))


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def load_conversation(folder: Path, conversation_id: str) -> list[Answer] | None:
    """Return the saved answers of a conversation, or None when there is no such file (or it
    cannot be read)."""
    if not valid_id(conversation_id):
        return None
    record = _read(_path(folder, conversation_id))
    if record is None:
        return None
    try:
        return [answer_from_dict(a) for a in record.get("answers", [])]
    except (KeyError, TypeError):
        return None


def rename_conversation(folder: Path, conversation_id: str, title: str) -> None:
    """Give a saved conversation a new name (blank names are ignored)."""
    title = re.sub(r"\s+", " ", title).strip()
    answers = load_conversation(folder, conversation_id)
    if title and answers is not None:
        save_conversation(folder, conversation_id, answers, title=title)


def delete_conversation(folder: Path, conversation_id: str) -> None:
    """Remove a saved conversation's file (nothing happens when it is gone already)."""
    if valid_id(conversation_id):
        _path(folder, conversation_id).unlink(missing_ok=True)


def list_conversations(folder: Path) -> list[ConversationInfo]:
    """Return the saved conversations, the most recently changed first."""
    out = []
    for path in Path(folder).glob("*.json"):
        record = _read(path)
        if record and valid_id(record.get("id")) and path.stem == record["id"]:
            out.append(ConversationInfo(record["id"], record.get("title") or "新对话",
                                        record.get("updated", "")))
    return sorted(out, key=lambda c: c.updated, reverse=True)

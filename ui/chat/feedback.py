"""Saves 👍/👎 on an answer, with the question, answer and citations, as one JSON line."""
from __future__ import annotations

import datetime as _dt
import fcntl
import json
from pathlib import Path

from vectorstore.records import Answer

FILE_NAME = "feedback.jsonl"
RATINGS = ("down", "up")  # index = the value of st.feedback("thumbs"): 0 is 👎, 1 is 👍


def feedback_folder(data_dir: Path) -> Path:
    """Return the folder feedback is written to."""
    return Path(data_dir) / "feedback"


def feedback_record(answer: Answer, rating: str, now: _dt.datetime | None = None,
                    reason: str = "") -> dict:
    """Return the JSON-ready record of one rating of one answer (with the user's reason for a
    👎, when given)."""
    if rating not in RATINGS:
        raise ValueError(f"unknown rating {rating!r}")
    now = now or _dt.datetime.now().astimezone()
    return {
        "time": now.isoformat(timespec="seconds"),
        "rating": rating,
        "reason": reason.strip(),
        "question": answer.question,
        "rewritten": answer.rewritten,
        "answer": answer.text,
        "mode": answer.mode,
        "refused": answer.refused,
        "citations": [
            {
                "n": c.n,
                "chunk_id": c.chunk.id,
                "doc_id": c.chunk.doc_id,
                "title": c.chunk.title,
                "section_path": c.chunk.section_path,
                "start": c.chunk.start,
                "end": c.chunk.end,
                "highlights": [list(h) for h in c.highlights],
                "quote": "……".join(c.chunk.text[a:b] for a, b in c.highlights),
            }
            for c in answer.citations
        ],
        "retrieved": [sc.chunk.id for sc in answer.retrieved],
    }


def save_feedback(folder: Path, answer: Answer, rating: str,
                  now: _dt.datetime | None = None, reason: str = "") -> Path:
    """Return the JSONL file after appending the rating to it (one line, written under a lock)."""
    record = feedback_record(answer, rating, now, reason)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with open(path, "a", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # several sessions may rate at once
        try:
            f.write(line)
            f.flush()
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
    return path


def rating_from_widget(value: int | None) -> str | None:
    """Return "up"/"down" for st.feedback("thumbs")'s value (1/0), None when unset."""
    if value is None:
        return None
    return RATINGS[int(value)]

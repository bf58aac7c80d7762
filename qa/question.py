"""Checks a user's question before any search: the text to search, or a clear reason why not."""
from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 500
_HAS_WORD = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class InvalidQuestion(ValueError):
    """A question that cannot be searched; str(e) is the message to show the user."""


def clean_question(text: str | None) -> str:
    """Return the question with control characters dropped and whitespace collapsed.

    Raises InvalidQuestion for an empty question, one over MAX_QUESTION_CHARS characters, or
    one without any letter, digit or Chinese character (only emoji or punctuation)."""
    if text is None:
        raise InvalidQuestion("请输入问题。")
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or not unicodedata.category(ch).startswith("C")
    )
    q = re.sub(r"\s+", " ", kept).strip()
    if not q:
        raise InvalidQuestion("请输入问题。")
    if len(q) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(
            f"问题太长（{len(q)} 字），请精简到 {MAX_QUESTION_CHARS} 字以内，只写想问的内容。"
        )
    if not _HAS_WORD.search(q):
        raise InvalidQuestion("问题里没有可以检索的文字，请用中文描述想了解的内容。")
    return q

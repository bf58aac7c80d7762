"""Answers as the chat keeps them: one cut off mid-way, the small print under an answer, the
history a follow-up is read against (no Streamlit)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ui.chat.render import MODE_LABELS
from vectorstore.records import Answer

INTERRUPTED = "已中断"


def interrupted_answer(question: str, mode: str, draft: Answer | None, partial: str) -> Answer:
    """Return the record of an answer cut off mid-way (stop button, a click elsewhere, a new
    question): the checked quotes when the model had them, else the text written so far, marked
    INTERRUPTED so the page offers 重新生成."""
    if draft is not None:
        notes = [*draft.notes, INTERRUPTED, "生成的回答未完成，显示原文摘录"]
        return replace(draft, question=question, notes=notes)
    text = partial.strip() or "（回答未完成）"
    return Answer(question=question, text=text, mode=mode, notes=[INTERRUPTED])


def is_interrupted(answer: Answer) -> bool:
    """Return whether answer was cut off before it was complete."""
    return INTERRUPTED in answer.notes


def answer_footer(answer: Answer) -> str:
    """Return the small print under an answer: mode, time taken and checking notes."""
    bits = [MODE_LABELS.get(answer.mode, answer.mode)]
    total = answer.timings_ms.get("total")
    if total is not None:
        bits.append(f"用时 {total / 1000:.1f} 秒")
    bits.extend(answer.notes)
    return " · ".join(bits)


def conversation_history(answers: Sequence[Answer]) -> list[tuple[str, str]]:
    """Return the (question, answer text) pairs a follow-up is rewritten against."""
    return [(a.question, a.text) for a in answers]

"""Finding where the published speech text blanked out a figure or a name ("X个", "20xx年", "___"),
and whether the sentence answering a question blanks out the figure it asks for.

    found = redacted_answer(question, [h.chunk.text for h in hits[:TOP_PASSAGES]], weights.coverage)
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qa.evidence import RANK_TIE_BREAK
from qa.question import asks_for_figure
from vectorstore.sentences import sentence_spans
from vectorstore.text import fold

# Web copies of speeches replace figures and names with placeholders: X / XX / xx / × / ××
# ("X个办事专区", "提速X%", "“X”发展战略", "20xx年"), full-width Ｘ, blanks "___", and in one
# source "*" / "**" ("全县**项政务服务事项", "*镇政务服务中心").
_X = "xXｘＸ×╳✕"
_PATTERNS = (
    # A year with its last digits blanked: "20xx年", "〔20××〕".
    rf"(?<![0-9A-Za-z])(?:19|20)[{_X}]{{2}}(?![0-9A-Za-z])",
    # A run of placeholder letters not part of a Latin word or a number ("APPX", "x64", "7×24"),
    # nor the X of "X光" / "X射线".
    rf"(?<![0-9A-Za-z{_X}])[{_X}]{{1,6}}(?![0-9A-Za-z{_X}]|光|射线)",
    # A blank to fill in.
    r"(?<![0-9A-Za-z])[_＿]{2,}(?![0-9A-Za-z])",
    # One asterisk before a Chinese character ("*镇"); two only before a unit ("**项"), so
    # Markdown bold ("**要点**") is not taken for a blank.
    r"(?<![*＊])[*＊](?![*＊])(?=[\u4e00-\u9fff])",
    r"(?<![*＊])[*＊]{2,3}(?![*＊])(?=[项个件名家次万亿元人户条类期场宗天%％])",
    # A figure left out altogether: "现有党支部个，党员名，" — "有/共/达…" + a noun + a
    # measure word closing the clause, with no number in between.
    r"(?<=有|共|计|达|为)[\u4e00-\u9fff]{1,5}?(?<![一二三四五六七八九十百千万两几多每各整这那某半哪余])[个名](?=[，,、；;。])",
)
_YEAR = re.compile(rf"(?:19|20)[{_X}]{{2}}")
_REDACTED = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))
# "3 x 4", "3×4": a multiplication, not a blank.
_TIMES = re.compile(rf"[0-9]\s*[{_X}]\s*[0-9]")


def redacted_figures(text: str) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the placeholders standing for blanked figures or names."""
    spans = []
    for m in _REDACTED.finditer(text):
        a, b = m.span()
        if _is_multiplication(text, a, b):
            continue
        spans.append((a, b))
    return spans


def _is_multiplication(text: str, a: int, b: int) -> bool:
    """Return True if text[a:b] is a single times sign between two numbers ("3 × 4")."""
    if b - a != 1:
        return False
    window = text[max(0, a - 2) : b + 2]
    return bool(_TIMES.search(window)) and any(c.isdigit() for c in text[max(0, a - 2) : a])


_UNIT_AFTER = re.compile(r"[个项件名家次万亿元人户条类天小时分钟秒%％倍年月日批所座期场宗大]")


def stands_for_number(text: str, start: int, end: int) -> bool:
    """Return True if the placeholder text[start:end] takes the place of a number: a year
    ("20xx"), a blank figure before a measure word ("X个", "**项", "提速X%"), a figure in
    quotes ("“X”发展战略") or a figure left out ("党支部个，"). Not a name ("*镇", "X企业")."""
    mark = text[start:end]
    if _YEAR.fullmatch(mark) or not any(ch in mark for ch in _X + "*＊_＿"):
        return True
    after = text[end : end + 1]
    before = text[start - 1 : start] if start else ""
    return bool(_UNIT_AFTER.match(after)) or (before in "“\"‘「" and after in "”\"’」")


def is_year_placeholder(text: str) -> bool:
    """Return True if a placeholder found by redacted_figures stands for a year ("20xx")."""
    return bool(_YEAR.fullmatch(text))


# The placeholder characters an answer names ("以“X”代替"); a figure left out is named "留空".
_SHOWN_MARKS = _X + "*＊_＿"
_ASKS_YEAR = re.compile(r"哪一?年|年份|什么时候")
REDACTED_TEXT = "讲话原文没有给出这个数字：公开文本中该处{mark}，无法确认具体数值。原文如下："


@dataclass(frozen=True)
class RedactedAnswer:
    """The sentence texts[text][start:end] that answers the question with its figure blanked
    out, and the placeholder as the answer names it ("" for a figure simply left out)."""

    text: int
    start: int
    end: int
    mark: str

    def explanation(self, sentence: str) -> str:
        """Return the answer saying the figure is blanked out, then the sentence quoted [1]."""
        how = f"以“{self.mark}”代替" if self.mark else "留空"
        return REDACTED_TEXT.format(mark=how) + f"\n“{sentence.strip()}”[1]"


def redacted_answer(question: str, texts: Sequence[str],
                    coverage: Callable[[str], float]) -> RedactedAnswer | None:
    """Return where the question asks for a figure and the sentence that answers it blanks that
    figure out ("X个", "**项", "党支部个，"; "20xx年" only for a question about a year), else None.

    The answering sentence is the one of texts (the best passages, best first) that covers most
    of the question (`coverage` of its folded text, qa.rerank), ties going to the earlier text."""
    if not asks_for_figure(question):
        return None
    best = None
    for i, text in enumerate(texts):
        for a, b in sentence_spans(text):
            score = coverage(fold(text[a:b])) - RANK_TIE_BREAK * i
            if best is None or score > best[0]:
                best = (score, i, a, b)
    if best is None:
        return None
    _, i, start, end = best
    sentence = texts[i][start:end]
    asks_year = bool(_ASKS_YEAR.search(question))
    for a, b in redacted_figures(sentence):
        if not stands_for_number(sentence, a, b):
            continue
        if is_year_placeholder(sentence[a:b]) and not asks_year:
            continue
        mark = sentence[a:b]
        return RedactedAnswer(i, start, end, mark if any(ch in mark for ch in _SHOWN_MARKS) else "")
    return None

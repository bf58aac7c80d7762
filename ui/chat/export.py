"""Turns a conversation (a list of Answers) into Markdown, with the citations as footnotes."""
from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence

from qa.answer import NEARBY
from qa.citation_check import MARKER
from ui.chat.render import MODE_LABELS, format_date, without_prompt_echo
from vectorstore.records import Answer, Chunk, Citation


def footnote_label(answer_number: int, n: int) -> str:
    """Return the footnote label of citation n of answer number answer_number (1-based)."""
    return f"{answer_number}-{n}"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _source_line(chunk: Chunk) -> str:
    """Return "《title》，section，date" for a footnote or list item."""
    bits = [f"《{chunk.title}》"]
    if chunk.section_path:
        bits.append(chunk.section_path)
    if chunk.date:
        bits.append(format_date(chunk.date))
    return "，".join(bits)


def _quote(citation: Citation) -> str:
    """Return the supporting sentences of a citation (the whole passage when none is marked)."""
    text = citation.chunk.text
    spans = [text[a:b] for a, b in citation.highlights if 0 <= a < b <= len(text)]
    return _one_line("……".join(spans) if spans else text)


def _with_footnote_refs(text: str, answer_number: int, cited: set[int]) -> str:
    """Return text with each [n] marker of a cited passage replaced by a footnote reference."""
    def ref(m: re.Match) -> str:
        numbers = [int(x) for x in re.findall(r"\d+", m.group(2))]
        if not numbers or not all(n in cited for n in numbers):
            return m.group(0)
        return "".join(f"[^{footnote_label(answer_number, n)}]" for n in numbers)

    return MARKER.sub(ref, text)


def answer_markdown(answer: Answer, number: int) -> str:
    """Return one question and its answer as Markdown, its citations as footnotes."""
    lines = [f"## {number}. {_one_line(answer.question)}", ""]
    if answer.rewritten:
        lines += [f"> 理解为：{_one_line(answer.rewritten)}", ""]
    cited = {c.n for c in answer.citations}
    body = _with_footnote_refs(without_prompt_echo(answer.text).strip(), number, cited)
    lines += [body.replace("\n", "  \n"), ""]
    if answer.refused and not answer.citations and answer.retrieved:
        lines += ["可能相关：", ""]
        for sc in answer.retrieved[:NEARBY]:
            lines.append(f"- {_source_line(sc.chunk)}：{_one_line(sc.chunk.text)}")
        lines.append("")
    lines.append(f"*{MODE_LABELS.get(answer.mode, answer.mode)}*")
    lines.append("")
    for note in answer.notes:  # why the answer reads as it does (a fallback, a filter…)
        lines.append(f"> 说明：{_one_line(note)}")
    if answer.notes:
        lines.append("")
    for c in sorted(answer.citations, key=lambda c: c.n):
        note = f"[^{footnote_label(number, c.n)}]: {_source_line(c.chunk)}：“{_quote(c)}”"
        if c.chunk.also_in:
            note += "（也见于：" + "；".join(f"《{t}》" for t in c.chunk.also_in) + "）"
        lines.append(note)
    if answer.citations:
        lines.append("")
    return "\n".join(lines)


def conversation_markdown(answers: Sequence[Answer], now: _dt.datetime | None = None) -> str:
    """Return the whole conversation as one Markdown document."""
    now = now or _dt.datetime.now()
    head = ["# 政务服务讲话问答记录", "", f"导出时间：{now.strftime('%Y-%m-%d %H:%M')}", ""]
    if not answers:
        return "\n".join(head + ["（对话为空）", ""])
    parts = [answer_markdown(a, i) for i, a in enumerate(answers, start=1)]
    return "\n".join(head) + "\n" + "\n".join(parts)


def export_file_name(now: _dt.datetime | None = None) -> str:
    """Return the download's file name, stamped with the time."""
    now = now or _dt.datetime.now()
    return f"zwqa-对话-{now.strftime('%Y%m%d-%H%M')}.md"

"""Pure drawing helpers for the chat page: escaped HTML for answers, citation cards and speeches.

Everything that comes from a document, an upload or the model is html.escape()d (or, for
Streamlit markdown, backslash-escaped) here before it reaches the page; only the tags these
functions write themselves are live HTML. Nothing here imports Streamlit.
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence

from qa.citation_check import MARKER
from vectorstore.records import Chunk, Citation, SpeechDocument

TITLE = "政务服务讲话问答"
MODE_LABELS = {"llm": "生成回答", "extractive": "原文摘录"}
HIT_ID = "zwqa-hit"
SUMMARY_CHARS = 60  # characters of a closed card without highlights

PAGE_CSS = """<style>
.zwqa-text { white-space: pre-wrap; line-height: 1.8; }
.zwqa-answer { white-space: pre-wrap; line-height: 1.9; font-size: 1.02rem; }
.zwqa-answer a.zwqa-ref { text-decoration: none; font-weight: 600; padding: 0 1px; }
.zwqa-card { line-height: 1.75; scroll-margin-top: 4rem; }
.zwqa-card-head { font-weight: 600; }
.zwqa-card-head .zwqa-n { color: #1f5fbf; margin-right: .3em; }
.zwqa-meta { color: #6b7280; font-size: .86rem; margin: .1rem 0 .35rem 0; }
.zwqa-para { white-space: pre-wrap; font-size: .95rem; }
.zwqa-para mark.zwqa-hl { background: #ffe58f; padding: 0 1px; border-radius: 2px; }
.zwqa-para summary { cursor: pointer; list-style-position: outside; }
.zwqa-para .zwqa-quote { background: #fff6d5; }
.zwqa-para[open] summary .zwqa-quote { display: none; }
.zwqa-para[open] summary::after { content: "收起"; color: #6b7280; font-size: .86rem; }
.zwqa-also { color: #6b7280; font-size: .86rem; margin-top: .35rem; }
.zwqa-copy { border: 1px solid #d0d5dd; background: #fff; border-radius: .5rem;
  padding: .15rem .7rem; font-size: .9rem; cursor: pointer; }
.zwqa-label { color: #6b7280; font-size: .9rem; margin: .4rem 0 .2rem 0; }
</style>"""

_SPEECH_PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>
body {{ font-family: "Source Han Sans SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei",
  "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; padding: .6rem 1rem 1rem 1rem;
  line-height: 1.9; color: #1f2328; background: #fff; }}
.text {{ white-space: pre-wrap; }}
.chunk {{ background: #e8f0fe; border-bottom: 2px solid #8fb3f0; }}
mark {{ background: #ffe58f; padding: 0 1px; }}
</style></head><body><div class="text">{body}</div>
<script>
const hit = document.getElementById("{hit_id}");
if (hit) {{ window.scrollTo(0, Math.max(0, hit.offsetTop - 120)); }}
</script></body></html>"""


def esc(text: str) -> str:
    """Return text with every HTML special character escaped (quotes included)."""
    return html.escape(text, quote=True)


def md_literal(text: str) -> str:
    """Return text as Streamlit markdown that shows every character literally.

    CommonMark lets any ASCII punctuation be backslash-escaped; escaping all of it disarms
    emphasis, links, images, HTML, math ($) and Streamlit's :color[...] directives at once.
    Line breaks are kept as hard breaks."""
    out = re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)
    return out.replace("\r\n", "\n").replace("\n", "  \n")


def normalise_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Return the spans clamped to [0, length], empty ones dropped, sorted and merged."""
    clean = sorted(
        (max(0, min(a, length)), max(0, min(b, length))) for a, b in spans
    )
    merged: list[tuple[int, int]] = []
    for a, b in clean:
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def highlight_html(text: str, spans: Iterable[tuple[int, int]], tag: str = "mark",
                   cls: str = "zwqa-hl") -> str:
    """Return text escaped, with each span (offsets into text) wrapped in <tag class=cls>."""
    out: list[str] = []
    pos = 0
    for a, b in normalise_spans(spans, len(text)):
        out.append(esc(text[pos:a]))
        out.append(f'<{tag} class="{cls}">{esc(text[a:b])}</{tag}>')
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out)


def anchor_id(answer_index: int, n: int) -> str:
    """Return the HTML id of citation card n under answer number answer_index."""
    return f"zwqa-cite-{answer_index}-{n}"


# Bits of the prompt a small model sometimes echoes ("资料编号=1：…"); never shown to the user.
_PROMPT_ECHO = re.compile(r"资料编号\s*[=＝:：]?\s*\[?\d*\]?\s*[，,。:：]?|^\s*(?:回答|答案)\s*[:：]\s*")


def without_prompt_echo(text: str) -> str:
    """Return the model's text without echoed prompt fragments such as "资料编号=1"."""
    return _PROMPT_ECHO.sub("", text)


def answer_html(text: str, answer_index: int, cited: Iterable[int] = ()) -> str:
    """Return the answer text escaped, with each [n] marker of a cited passage made a link to
    its card (markers naming no card stay plain text); echoed prompt fragments left out."""
    text = without_prompt_echo(text)
    cited = set(cited)
    out: list[str] = []
    pos = 0
    for m in MARKER.finditer(text):
        out.append(esc(text[pos:m.start()]))
        numbers = [int(x) for x in re.findall(r"\d+", m.group(2))]
        if numbers and all(n in cited for n in numbers):
            out.append("".join(
                f'<a class="zwqa-ref" href="#{anchor_id(answer_index, n)}">[{n}]</a>'
                for n in numbers
            ))
        else:
            out.append(esc(m.group(0)))
        pos = m.end()
    out.append(esc(text[pos:]))
    return f'<div class="zwqa-answer">{"".join(out)}</div>'


def text_html(text: str, cls: str = "zwqa-text") -> str:
    """Return text escaped inside a div that keeps its line breaks."""
    return f'<div class="{cls}">{esc(text)}</div>'


def format_date(date: str | None) -> str:
    """Return an ISO date ("2025-07-02", "2025-07", "2025") in Chinese ("2025年7月2日"), or ""."""
    if not date:
        return ""
    parts = date.split("-")
    try:
        nums = [int(p) for p in parts[:3]]
    except ValueError:
        return date
    units = ("年", "月", "日")
    return "".join(f"{n}{u}" for n, u in zip(nums, units))


def format_ingested_at(stamp: str) -> str:
    """Return an ISO timestamp as "2026-11-23 13:44", or "未知" when empty."""
    if not stamp:
        return "未知"
    m = re.match(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})", stamp)
    return f"{m.group(1)} {m.group(2)}" if m else stamp


def chunk_meta(chunk: Chunk) -> str:
    """Return the card's plain-text line under the title: section path and date."""
    bits = [chunk.section_path or "（开篇）"]
    if chunk.date:  # the web page's publication date, not the day of the speech
        bits.append(f"发表于{format_date(chunk.date)}")
    return " · ".join(bits)


def passage_card_html(chunk: Chunk, highlights: Sequence[tuple[int, int]] = (),
                      label: str = "", anchor: str = "") -> str:
    """Return a citation card: label and title, section path and date, the highlighted
    sentences (the whole paragraph, highlighted, on a click), and the other speeches the
    passage also appears in."""
    id_attr = f' id="{esc(anchor)}"' if anchor else ""
    label_html = f'<span class="zwqa-n">{esc(label)}</span>' if label else ""
    also = ""
    if chunk.also_in:
        titles = "；".join(f"《{esc(t)}》" for t in chunk.also_in)
        also = f'<div class="zwqa-also">也见于：{titles}</div>'
    return (
        f'<div class="zwqa-card"{id_attr}>'
        f'<div class="zwqa-card-head">{label_html}《{esc(chunk.title)}》</div>'
        f'<div class="zwqa-meta">{esc(chunk_meta(chunk))}</div>'
        f'<details class="zwqa-para"><summary title="展开全段">{card_summary_html(chunk.text, highlights)}'
        f'</summary>{highlight_html(chunk.text, highlights)}</details>'
        f"{also}</div>"
    )


def card_summary_html(text: str, highlights: Sequence[tuple[int, int]]) -> str:
    """Return what a closed card shows: its highlighted sentences ("…" where text is left out),
    or the opening of the passage when nothing is highlighted."""
    spans = normalise_spans(highlights, len(text))
    if not spans:
        head = text[:SUMMARY_CHARS]
        return f'<span class="zwqa-quote">{esc(head)}{"…" if len(text) > len(head) else ""}</span>'
    bits = [esc(text[a:b].strip()) for a, b in spans]
    lead = "…" if spans[0][0] > 0 else ""
    tail = "…" if spans[-1][1] < len(text.rstrip()) else ""
    return f'<span class="zwqa-quote">{lead}{"…".join(bits)}{tail}</span>'


def sources_label(citations: Sequence[Citation]) -> str:
    """Return the heading over an answer's cards, counting the passages it cites."""
    return f"来源：引用 {len(citations)} 段（点击展开全段）"


def citation_card_html(citation: Citation, answer_index: int) -> str:
    """Return the card of one citation, numbered [n] and anchored for the answer's links."""
    return passage_card_html(citation.chunk, citation.highlights, f"[{citation.n}]",
                             anchor_id(answer_index, citation.n))


def speech_html(doc: SpeechDocument, start: int, end: int,
                highlights: Sequence[tuple[int, int]] = ()) -> str:
    """Return a standalone HTML page of the whole speech with doc.text[start:end] marked (the
    highlights, offsets into that passage, marked more strongly) and scrolled into view."""
    text = doc.text
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    end = max(start, end)
    passage = text[start:end]
    body = (
        esc(text[:start])
        + f'<span id="{HIT_ID}" class="chunk">'
        + highlight_html(passage, highlights, "mark", "hl")
        + "</span>"
        + esc(text[end:])
    )
    return _SPEECH_PAGE.format(body=body, hit_id=HIT_ID)


def copy_button_html(text: str) -> str:
    """Return a 复制 button that puts text (an answer with its footnotes) on the clipboard."""
    payload = esc(json.dumps(text, ensure_ascii=False))
    # The click is handled by the page script of ui.chat.localise (inline handlers may be stripped).
    return f'<button class="zwqa-copy" type="button" data-text="{payload}">复制</button>'

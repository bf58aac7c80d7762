"""Checking the [n] citation markers of a generated answer against the passages it was given."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from qa.evidence import TokenizerLike, support_score

# [1]  [1][2]  [1,2]  [1，2]  [1、2]  and the full-width ［1］ / 【1】 that Chinese models also write.
MARKER = re.compile(r"([\[［【])\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*([\]］】])")
_NUM = re.compile(r"\d+")
_SENTENCE_END = "。！？；!?;\n"
_CLOSERS = "”’」』）)】》\"'"
_HAS_WORD = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


@dataclass
class CheckedAnswer:
    """An answer text with unsupported or made-up citation markers taken out."""

    text: str
    used: list[int] = field(default_factory=list)  # kept passage numbers, first appearance first
    removed: list[tuple[int, str]] = field(default_factory=list)  # (n, reason in Chinese)


def check_citations(
    answer_text: str,
    passages: Sequence[str],
    tokenizer: TokenizerLike,
    min_support: float = 0.35,
) -> CheckedAnswer:
    """Return the answer with markers removed that name no given passage or an unsupportive one.

    Passages are numbered from 1. The claim a marker vouches for is the clause before it: from
    the previous sentence end or the previous (non-adjacent) marker up to the marker. When the
    marker follows a sentence end ("……。[1]") the claim is the sentence just ended. A number
    whose claim has support_score < min_support against its passage is removed. Inside a group
    ("[1,7]") only the bad numbers go; a group left empty disappears. Nothing else in the text
    changes.
    """
    matches = list(MARKER.finditer(answer_text))
    pieces: list[str] = []
    used: list[int] = []
    removed: list[tuple[int, str]] = []
    pos = 0

    for i, m in enumerate(matches):
        # Markers directly after another marker ("[1][2]") share the first one's claim.
        j = i
        while j > 0 and not answer_text[matches[j - 1].end() : matches[j].start()].strip():
            j -= 1
        floor = matches[j - 1].end() if j > 0 else 0
        claim = _claim_before(answer_text, matches[j].start(), floor)

        kept: list[str] = []
        for num_text in _NUM.findall(m.group(2)):
            n = int(num_text)
            if not 1 <= n <= len(passages):
                removed.append((n, f"没有第{n}条来源（共{len(passages)}条），已删除该引用"))
                continue
            score = support_score(claim, passages[n - 1], tokenizer)
            if score < min_support:
                removed.append((n, f"来源[{n}]不足以支持这句话（支持度{score:.2f}），已删除该引用"))
                continue
            kept.append(num_text)
            if n not in used:
                used.append(n)

        pieces.append(answer_text[pos : m.start()])
        if kept:
            if len(kept) == len(_NUM.findall(m.group(2))):
                pieces.append(m.group())
            else:
                sep = re.search(r"\s*[,，、]\s*", m.group(2))
                pieces.append(m.group(1) + (sep.group() if sep else ",").join(kept) + m.group(3))
        pos = m.end()
    pieces.append(answer_text[pos:])
    return CheckedAnswer(text="".join(pieces), used=used, removed=removed)


def _claim_before(text: str, end: int, floor: int) -> str:
    """Return the clause a marker at `end` vouches for, without markers in it."""
    head = text[:end]
    cut = max(floor, max(head.rfind(c) for c in _SENTENCE_END) + 1)
    claim = MARKER.sub("", head[cut:])
    if _HAS_WORD.search(claim):
        return claim
    # "……。[1]": the marker closes the sentence that just ended; take all of it.
    body = head.rstrip()
    while body and (body[-1] in _SENTENCE_END or body[-1] in _CLOSERS or body[-1].isspace()):
        body = body[:-1]
    start = max(body.rfind(c) for c in _SENTENCE_END) + 1
    return MARKER.sub("", body[start:])

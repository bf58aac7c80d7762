"""Checking a generated answer sentence by sentence against the passages its [n] markers cite."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from qa.claim_check import Passage, Unit, content_units
from qa.evidence import TokenizerLike, support_score
from vectorstore.text import WORD_CHAR, has_word

# [1]  [1][2]  [1,2]  [1，2]  [1、2]  and the full-width ［1］ / 【1】 that Chinese models also write.
MARKER = re.compile(r"([\[［【])\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*([\]］】])")
_NUM = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[。！？!?]|\n")
# What may follow a sentence end and still belong to it: closing quotes, then markers ("。[1]").
_SENTENCE_TAIL = re.compile(r"[”’」』）)\"']*(?:[ \t]*" + MARKER.pattern + r")*")
# A marker stands at a clause end when punctuation, a space, another marker or the end follows;
# "[2]个" or "[3]名党员" uses it as a blank for a figure or word.
_SHOWN_UNITS = 3


@dataclass
class CheckedAnswer:
    """An answer text without the sentences and markers its passages do not bear out."""

    text: str
    used: list[int] = field(default_factory=list)  # kept passage numbers, first appearance first
    removed: list[tuple[int, str]] = field(default_factory=list)  # (n, reason in Chinese); n=0: none
    dropped: list[str] = field(default_factory=list)  # sentences taken out, as written
    # (n, reason in Chinese): markers changed to the given passage that does hold the clause
    recited: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Verdict:
    """What to do with one sentence: keep it with these marker numbers, or drop it."""

    keep: bool
    markers: dict[int, list[int]] = field(default_factory=dict)  # marker start -> kept numbers
    reasons: list[tuple[int, str]] = field(default_factory=list)
    recited: list[tuple[int, str]] = field(default_factory=list)


def check_citations(
    answer_text: str,
    passages: Sequence[str],
    tokenizer: TokenizerLike,
    min_support: float = 0.35,
    question: str = "",
    terms: Iterable[str] | None = None,
) -> CheckedAnswer:
    """Return the answer without the sentences its cited passages do not bear out.

    Passages are numbered from 1. Each sentence is checked on its own; a marker vouches for the
    clause before it (from the previous marker in the sentence), the last one also for the rest
    of the sentence, and markers side by side ("[1][2]") share their clause. A sentence is
    dropped, and `removed` says why, when
    - a content unit of a clause (qa.claim_check: figure, document number, quoted term, title,
      name, list item, content phrase) is in none of the passages its markers cite;
    - a marker is used as a blank ("现有[2]个党支部") or stands inside a clause;
    - a clause cites no given passage, or a sentence holding content units cites nothing.
    When the cited passages lack a unit but another given passage holds every unit of the
    clause, the marker is changed to that passage instead (the model cited the wrong one) and
    `recited` says so.
    Within a kept sentence, a number whose passage holds none of the clause's units is taken
    out of its marker; a clause without units keeps the numbers with support_score ≥
    min_support. The question's own words are not units; terms (default: the tokenizer's
    user_terms, the corpus's policy terms) must be in the passage when the sentence has them.
    """
    if terms is None:
        terms = getattr(tokenizer, "user_terms", ())
    check = _SentenceCheck(passages, tokenizer, min_support, question, list(terms))
    pieces: list[str] = []
    used: list[int] = []
    removed: list[tuple[int, str]] = []
    dropped: list[str] = []
    recited: list[tuple[int, str]] = []
    pos = 0
    for start, end in _sentence_spans(answer_text):
        pieces.append(answer_text[pos:start])
        pos = end
        verdict = check.sentence(answer_text, start, end)
        removed.extend(verdict.reasons)
        if not verdict.keep:
            dropped.append(answer_text[start:end].strip())
            if answer_text[end:end + 1] == "\n" and (start == 0 or answer_text[start - 1] == "\n"):
                pos = end + 1  # the whole line goes
            continue
        recited.extend(verdict.recited)
        pieces.append(_rewrite_markers(answer_text, start, end, verdict.markers))
        for numbers in verdict.markers.values():
            used.extend(n for n in numbers if n not in used)
    pieces.append(answer_text[pos:])
    text = re.sub(r"\n{3,}", "\n\n", "".join(pieces)).strip()
    return CheckedAnswer(text=text, used=used, removed=removed, dropped=dropped, recited=recited)


class _SentenceCheck:
    """Checks sentences against one answer's passages, preparing each passage once."""

    def __init__(self, passages, tokenizer, min_support, question, terms):
        self.passages = passages
        self.tokenizer = tokenizer
        self.min_support = min_support
        self.question = question
        self.terms = terms
        self._prepared: dict[int, Passage] = {}

    def passage(self, n: int) -> Passage:
        if n not in self._prepared:
            self._prepared[n] = Passage(self.passages[n - 1])
        return self._prepared[n]

    def sentence(self, text: str, start: int, end: int) -> _Verdict:
        """Return the verdict on text[start:end] (see check_citations)."""
        groups = _marker_groups(text, start, end)
        body = MARKER.sub("", text[start:end])
        if not groups:
            units = content_units(body, self.question, self.terms)
            if not units:
                return _Verdict(keep=True)
            return _Verdict(False, reasons=[(0, f"“{_short(body)}”没有标注来源，无法核实，已删除这句话")])
        for group in groups:
            last = group[-1]
            # A blank ("现有[2]个") has words after it inside its sentence; the markers ending a
            # sentence may be followed by the next one ("……。[1]这里……").
            if last.end() < end and WORD_CHAR.match(text, last.end()):
                shown = last.group() + text[last.end()]
                n = marker_numbers(last)[0]
                return _Verdict(False, reasons=[(n, f"“{shown}”把引用标注当作了数字或词语，无法核实，"
                                                   "已删除这句话")])
        verdict = _Verdict(keep=True)
        floor = start
        for i, group in enumerate(groups):
            claim = text[floor:group[0].start()]
            if i == len(groups) - 1:
                claim += text[group[-1].end():end]  # the rest of the sentence: "……[1]，……。"
            claim = MARKER.sub("", claim)
            floor = group[-1].end()
            if not self._clause(claim, group, verdict):
                # The whole sentence goes: markers trimmed in its earlier clauses no longer count.
                verdict.reasons = [r for r in verdict.reasons if r[1].endswith("已删除这句话")]
                verdict.keep = False
                return verdict
        return verdict

    def _clause(self, claim: str, group: list[re.Match], verdict: _Verdict) -> bool:
        """Check one clause against the numbers of its marker group; False drops the sentence."""
        numbers = [x for m in group for x in marker_numbers(m)]
        valid = [n for n in dict.fromkeys(numbers) if 1 <= n <= len(self.passages)]
        bad = [n for n in dict.fromkeys(numbers) if n not in valid]
        total = len(self.passages)
        if not valid:
            verdict.reasons += [(n, f"没有第{n}条来源（共{total}条），已删除这句话") for n in bad]
            return False
        verdict.reasons += [(n, f"没有第{n}条来源（共{total}条），已删除该引用") for n in bad]
        units = content_units(claim, self.question, self.terms)
        if units:
            kept, missing = self._units_found(units, valid)
            if missing:
                shown = "".join(f"“{u.text.strip('“”')}”" for u in missing[:_SHOWN_UNITS])
                more = f"等{len(missing)}处" if len(missing) > _SHOWN_UNITS else ""
                cited = "".join(f"[{n}]" for n in valid)
                other = self._sole_holder(units, exclude=valid)
                if other is None:
                    verdict.reasons.append((valid[0], f"{shown}{more}在来源{cited}中找不到，已删除这句话"))
                    return False
                # The model cited the wrong passage of those it was given: cite the right one.
                verdict.recited.append((valid[0], f"{shown}{more}在来源{cited}中找不到，见于来源"
                                                  f"[{other}]，已改为引用[{other}]"))
                for i, m in enumerate(group):
                    verdict.markers[m.start()] = [other] if i == 0 else []
                return True
            why = "中没有这句话的内容"
        else:
            scores = {n: support_score(claim, self.passages[n - 1], self.tokenizer) for n in valid}
            kept = [n for n in valid if scores[n] >= self.min_support]
            if not kept:
                verdict.reasons += [(n, f"来源[{n}]不足以支持这句话，已删除这句话")
                                    for n in valid]
                return False
            why = "不足以支持这句话"
        verdict.reasons += [(n, f"来源[{n}]{why}，已删除该引用") for n in valid if n not in kept]
        for m in group:
            verdict.markers[m.start()] = [x for x in marker_numbers(m) if x in kept]
        return True

    def _sole_holder(self, units: list[Unit], exclude: list[int]) -> int | None:
        """Return the first other given passage that holds every unit, or None."""
        for n in range(1, len(self.passages) + 1):
            if n not in exclude and all(self.passage(n).supports(u) for u in units):
                return n
        return None

    def _units_found(self, units: list[Unit], numbers: list[int]) -> tuple[list[int], list[Unit]]:
        """Return the passages that hold at least one unit, and the units none of them holds."""
        kept: list[int] = []
        missing: list[Unit] = []
        for unit in units:
            holders = [n for n in numbers if self.passage(n).supports(unit)]
            if not holders:
                missing.append(unit)
            kept.extend(n for n in holders if n not in kept)
        return [n for n in numbers if n in kept], missing


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each sentence: up to 。！？!? with closing quotes and the markers
    that follow it ("……。[1]"), or up to a line end; blank stretches are not sentences."""
    spans = []
    pos = 0
    while pos < len(text):
        m = _SENTENCE_END.search(text, pos)
        if m is None:
            end = next_pos = len(text)
        elif m.group() == "\n":
            end, next_pos = m.start(), m.end()
        else:
            end = next_pos = _SENTENCE_TAIL.match(text, m.end()).end()
        start = pos
        while start < end and text[start].isspace():
            start += 1
        if start < end:
            spans.append((start, end))
        pos = next_pos
    return spans


def answer_sentences(text: str) -> list[str]:
    """Return the sentences of an answer as check_citations splits it, markers included."""
    return [text[a:b] for a, b in _sentence_spans(text)]


def marker_numbers(marker: re.Match) -> list[int]:
    """Return the passage numbers a MARKER match names ("[1，3]" → [1, 3])."""
    return [int(x) for x in _NUM.findall(marker.group(2))]


def claims_citing(text: str, n: int) -> str:
    """Return the sentences of text that end with a marker naming passage n, joined, markers
    left out: what the answer claims that passage says."""
    out = []
    for m in MARKER.finditer(text):
        if n in marker_numbers(m):
            sentence_start = max(text.rfind(c, 0, m.start()) for c in "。！？；\n") + 1
            out.append(MARKER.sub("", text[sentence_start:m.start()]))
    return "".join(s for s in out if has_word(s))


def _marker_groups(text: str, start: int, end: int) -> list[list[re.Match]]:
    """Return the markers of text[start:end], those side by side grouped together."""
    groups: list[list[re.Match]] = []
    for m in MARKER.finditer(text, start, end):
        if groups and not text[groups[-1][-1].end():m.start()].strip():
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def _rewrite_markers(text: str, start: int, end: int, kept: dict[int, list[int]]) -> str:
    """Return text[start:end] with each marker showing its kept numbers; an emptied one goes."""
    pieces = []
    pos = start
    for m in MARKER.finditer(text, start, end):
        pieces.append(text[pos:m.start()])
        numbers = kept.get(m.start(), [])
        if numbers == marker_numbers(m):
            pieces.append(m.group())
        elif numbers:
            sep = re.search(r"\s*[,，、]\s*", m.group(2))
            pieces.append(m.group(1) + (sep.group() if sep else ",").join(map(str, numbers))
                          + m.group(3))
        pos = m.end()
    pieces.append(text[pos:end])
    return "".join(pieces)


def _short(text: str, limit: int = 15) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"

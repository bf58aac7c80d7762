"""Gives the definitions that spell out a numbered term's items (“三个到位”, 十大关系, “三集中、两到位”).

Speeches define a numbered term by listing what it counts, often over several sentences:
- after 即： or ：一是, one item per sentence ending in ；, or numbered 一是 … 七是 (十大关系，即：…；…);
- a headline ending in the term, then the items: 三是加大三个力度。即加大…力度；加大…力度；… or
  重点要抓好“三个到位”。一是人员配备到位。…二是制度建设到位。…三是监督管理到位。;
- the term's own words counted in the rest of its sentence: “三集中、两到位”要求，将…集中、…集中、…集中，
  做到…到位、…到位.
A definition found here spans all the items (within the paragraph, at most MAX_SPAN characters),
so the glossary shows what the term means, not only its first item.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from vectorstore.records import SpeechDocument
from vectorstore.term_index import Definition

MAX_SPAN = 600  # characters a spelled-out definition may cover (a glossary cell stays readable)

_NUMERALS = "两二三四五六七八九十"
_NUMERAL_VALUES = dict(zip(_NUMERALS, (2, 2, 3, 4, 5, 6, 7, 8, 9, 10)))
_ORDINALS = "一二三四五六七八九十"
_CLASSIFIERS = "个项大类种条"
# Headline terms that only announce the parts of a speech (讲三个问题。第一，…), not a policy.
_DISCOURSE_HEADS = ("问题", "方面", "意见", "重点", "部分", "体会", "内容", "工作", "任务", "点")

# A headline ending in a counted term: 加大三个力度。 / 抓好“三个到位”。
_HEADLINE = re.compile(
    rf"(?:“(?P<quoted>[{_NUMERALS}][{_CLASSIFIERS}]?[\u4e00-\u9fff]{{1,6}})”"
    rf"|(?<![{_NUMERALS}])(?P<plain>[{_NUMERALS}][{_CLASSIFIERS}][^\W\d_的]{{1,4}}))[。：:]$"
)
# A quoted list of numbered parts: “三集中、两到位”, “六公开”.
_NUMBERED_PARTS = re.compile(rf"“(?P<term>[{_NUMERALS}][^“”\n]{{1,14}})”")


def count_named(term: str) -> int | None:
    """Return how many items a numbered term names (三个到位 → 3, 十大关系 → 10), else None."""
    value = _NUMERAL_VALUES.get(term[:1])
    if value == 10 and term[1:2] in _NUMERALS:  # 十一 … 十九 are not met in speech terms
        return None
    return value


def head_word(term: str) -> str:
    """Return what a counted term counts: 三个到位 → 到位, 十大关系 → 关系, 三集中 → 集中."""
    rest = term[1:]
    return rest[1:] if rest[:1] in _CLASSIFIERS and len(rest) > 2 else rest


def _ordinal_item(text: str, n: int) -> bool:
    """Return whether text starts the n-th numbered item: 一是/一要/第一/一方面 … (n ≤ 10)."""
    word = _ORDINALS[n - 1]
    other = "另一方面" if n == 2 else None
    text = text.lstrip()
    return text.startswith((f"{word}是", f"{word}要", f"第{word}", f"{word}方面")) or (
        other is not None and text.startswith(other))


def _paragraph_spans(doc: SpeechDocument, spans: Sequence[tuple[int, int]], after: int
                     ) -> list[tuple[int, int]]:
    """Return the sentence spans that follow offset `after` in the same paragraph."""
    out = []
    for s, e in spans:
        if s < after:
            continue
        if "\n" in doc.text[after:s]:
            break
        out.append((s, e))
    return out


def _chain_end(doc: SpeechDocument, first_end: int, following: list[tuple[int, int]]
               ) -> tuple[int, int]:
    """Return (end, items) of a list whose first item ends at first_end: items ending in ；
    continue it; the first one ending otherwise closes it."""
    end, items = first_end, 1
    if doc.text[end - 1:end] != "；":
        return end, items
    for _, e in following:
        end, items = e, items + 1
        if doc.text[e - 1:e] != "；":
            break
    return end, items


def items_end(doc: SpeechDocument, spans: Sequence[tuple[int, int]], first_start: int,
              first_end: int, count: int | None, head: str | None = None) -> int | None:
    """Return where the list of `count` items starting at doc.text[first_start:first_end] ends,
    or None when the items are not all there (or would span more than MAX_SPAN).

    Numbered items (一是 … 七是) end with the count-th one's own list; unnumbered ones are the
    sentences chained by ；, and must be `count` many. With `head`, every numbered item's first
    sentence (or every chained item) must name it (三个到位: each item says 到位)."""
    following = _paragraph_spans(doc, spans, first_end)
    text = doc.text
    if _starts_numbered(text[first_start:first_end]) and count:
        item_starts = [(first_start, first_end)]
        for s, e in following:
            if len(item_starts) < count and _ordinal_item(text[s:e], len(item_starts) + 1):
                item_starts.append((s, e))
        if len(item_starts) < count:
            return None
        if head and not all(head in text[s:e] for s, e in item_starts):
            return None
        last_start, last_end = item_starts[-1]
        end, _ = _chain_end(doc, last_end, [sp for sp in following if sp[0] >= last_end])
    else:
        end, items = _chain_end(doc, first_end, following)
        if count is not None and items != count:
            return None
        if head:
            chained = [sp for sp in [(first_start, first_end), *following] if sp[1] <= end]
            if not all(head in text[s:e] for s, e in chained):
                return None
    return end if end - first_start <= MAX_SPAN else None


def _starts_numbered(sentence: str) -> bool:
    """Return whether the items begin in this sentence with 一是/一要/第一/一方面 (possibly after
    the term and 即：)."""
    return re.search(r"(?:^|[：:即，,]\s*)(?:一是|一要|第一|一方面)", sentence) is not None


def headline_definitions(doc: SpeechDocument, spans: Sequence[tuple[int, int]]
                         ) -> list[tuple[str, Definition]]:
    """Return (term, Definition) for counted terms that end a sentence and whose items follow
    (三是加大三个力度。即加大…；… / 抓好“三个到位”。一是人员配备到位。…三是监督管理到位。)."""
    found = []
    for i, (s, e) in enumerate(spans[:-1]):
        m = _HEADLINE.search(doc.text, s, e)
        if not m:
            continue
        group = "quoted" if m.group("quoted") else "plain"
        term = m.group(group)
        count, head = count_named(term), head_word(term)
        if count is None or head.endswith(_DISCOURSE_HEADS) or len(head) < 2:
            continue
        ns, ne = spans[i + 1]
        if "\n" in doc.text[e:ns]:
            continue
        first = doc.text[ns:ne].lstrip()
        if not (first.startswith("即") or _ordinal_item(first, 1)):
            continue
        end = items_end(doc, spans, ns, ne, count, head)
        if end is not None and end - s <= MAX_SPAN:
            found.append((term, Definition(doc.doc_id, s, end, m.start(group), m.end(group),
                                           "列举")))
    return found


def counted_part_definitions(doc: SpeechDocument, start: int, end: int
                             ) -> list[tuple[str, Definition]]:
    """Return (term, Definition) for a quoted numbered term (and each of its parts) whose words
    the rest of the sentence counts out: “三集中、两到位”要求，将…集中、…集中、…集中，做到…到位、…到位."""
    found = []
    for m in _NUMBERED_PARTS.finditer(doc.text, start, end):
        parts = m.group("term").split("、")
        rest = doc.text[m.end():end]
        offsets, pos = [], m.start("term")
        for p in parts:
            offsets.append(pos)
            pos += len(p) + 1
        heads = [head_word(p) for p in parts]
        if not all(count_named(p) and len(h) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", h)
                   for p, h in zip(parts, heads)):
            continue
        if all(rest.count(h) == count_named(p) for p, h in zip(parts, heads)):
            found.append((m.group("term"), Definition(doc.doc_id, start, end, m.start("term"),
                                                      m.end("term"), "展开")))
            if len(parts) > 1:
                found += [(p, Definition(doc.doc_id, start, end, o, o + len(p), "展开"))
                          for p, o in zip(parts, offsets)]
    return found

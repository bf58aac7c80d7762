"""Policy slogans and numbered formulas found in the corpus, for the tokenizer's dictionary.

Speeches about 政务服务 lean on fixed phrases (“最多跑一次”, “放管服”, 三会一课, 六个坚持). Jieba
splits most of them into pieces, so a BM25 query for “一网通办” would match every passage that
merely says 一 and 通办. Adding them as user words keeps each phrase one token.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_QUOTED = re.compile(r"“([^“”\n]{2,40})”|\"([^\"\n]{2,40})\"|「([^「」\n]{2,40})」|『([^『』\n]{2,40})』")
# Inside a quote, slogans are often listed: “一窗受理、集成服务”, “一窗受理·一次办好”.
_QUOTE_SEPARATORS = re.compile(r"[、，,；;：:·•/｜|\s。！？!?（）()《》…—]+")
# What a term may consist of: CJK, letters, digits and the "+" of “互联网+政务服务”.
_TERM_CHARS = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9+＋]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")

_NUMERALS = "一二三四五六七八九十两"
# Unquoted numbered formulas, kept narrow because jieba words that swallow ordinary text
# (一步加强, 一是要) would hurt recall: 三会一课 / 三抓四创 / 一业一证 (numeral, char, numeral,
# char) and 六个坚持 / 两个维护 (numeral ≥ 2, 个, two chars; 一个… is just "a …").
_TWO_PART = re.compile(rf"(?=([{_NUMERALS}][\u4e00-\u9fff][{_NUMERALS}][\u4e00-\u9fff]))")
_COUNTED = re.compile(r"(?=([二三四五六七八九十两]个[\u4e00-\u9fff]{2}))")

MIN_LEN = 2
MAX_LEN = 12
MAX_PART_LEN = 8  # a longer piece of a split quote is a clause, not a slogan


def _is_term(s: str) -> bool:
    return MIN_LEN <= len(s) <= MAX_LEN and bool(_TERM_CHARS.match(s)) and bool(_CJK.search(s))


def quoted_terms(text: str) -> list[str]:
    """Return the terms inside “…” quotes (whole quote and its listed parts), in text order."""
    out: list[str] = []
    for m in _QUOTED.finditer(text):
        inner = next(g for g in m.groups() if g is not None).strip()
        if _is_term(inner):
            out.append(inner)
        parts = [p for p in _QUOTE_SEPARATORS.split(inner) if p]
        # Split only a list of short slogans; a quoted sentence has long clauses.
        if len(parts) > 1 and all(len(p) <= MAX_PART_LEN for p in parts):
            out.extend(p for p in parts if _is_term(p))
    return out


def extract_policy_terms(texts: Iterable[str], min_count: int = 2) -> list[str]:
    """Return policy terms for the tokenizer, sorted: every quoted term (and the listed parts
    of a quote), plus numbered formulas (三会一课, 六个坚持) that occur at least `min_count` times."""
    texts = list(texts)
    terms: set[str] = set()
    counts: Counter[str] = Counter()
    for t in texts:
        terms.update(quoted_terms(t))
        for pattern in (_TWO_PART, _COUNTED):
            counts.update(m.group(1) for m in pattern.finditer(t))
    terms.update(c for c, n in counts.items() if n >= min_count)
    return sorted(terms)

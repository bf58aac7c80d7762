"""How closely a value of the asked kind is bound to what the question asks it about.

qa.slots binds a value to the whole question: a near miss such as "服务态度一项占多少分？" over a
passage saying "窗口工作人员综合评议…满意度85分" still binds well, since the window around 85分
holds most of the question's topic — all but the subject the figure is asked about. The asked
clause (the part of the question around its asking word: "服务态度一项占多少分") names that
subject; clause binding is how much of the asked clause the best value window holds.

    clause_binding("群众对窗口工作人员综合评议时，服务态度一项占多少分？", slot, weights, texts)
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from qa.question import topic_words
from qa.rerank import TermWeights
from qa.slots import Slot, find_slot_value

# The asking words of a question; the clause holding one is the asked clause.
_ASKING = re.compile(r"多少|几|哪|什么|谁|多久|多长|多大|是否|何时|怎么|如何|为什么|为何|吗")
_CLAUSE_END = re.compile(r"[，,；;。？?！!、：:\s]+")


def asked_clause(question: str) -> str:
    """Return the clauses of the question holding an asking word, joined (the whole question
    when none is found)."""
    clauses = [c for c in _CLAUSE_END.split(question) if c.strip()]
    asking = [c for c in clauses if _ASKING.search(c)]
    return "，".join(asking) if asking else question


_NOUN_FLAGS = frozenset({"n", "nz", "nt", "nr", "ns", "nrt", "vn", "eng", "j"})


def asked_foreign(question: str, corpus_has: Callable[[str], bool] | None) -> float:
    """Return the share of the asked clause's nouns (two characters or more) that no speech
    contains: "护照" in "办理护照需要什么材料"."""
    if corpus_has is None:
        return 0.0
    import jieba.posseg

    nouns = [w for w, flag in jieba.posseg.lcut(topic_words(asked_clause(question)))
             if flag in _NOUN_FLAGS and len(w) >= 2]
    return sum(not corpus_has(w) for w in nouns) / len(nouns) if nouns else 0.0


def clause_weights(question: str, weights: TermWeights) -> TermWeights:
    """Return weights kept to the words and character pairs of the asked clause's topic."""
    clause = topic_words(asked_clause(question)).lower()
    words = {t: w for t, w in weights.words.items() if t in clause}
    pairs = {t: w for t, w in weights.pairs.items() if t in clause}
    if not words and not pairs:
        return weights
    return replace(weights, words=words, pairs=pairs)


def clause_binding(question: str, slot: Slot, weights: TermWeights, texts: Sequence[str]) -> float:
    """Return in [0, 1] the best coverage of the asked clause by a window holding a value of
    the asked kind: 1.0 when the question asks for no value, 0.0 when no such value is found."""
    if not slot.has_value:
        return 1.0
    match = find_slot_value(slot, clause_weights(question, weights).coverage, texts, question)
    return match.binding if match is not None else 0.0

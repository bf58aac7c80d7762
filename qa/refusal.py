"""Decides whether the retrieved passages say enough to answer, or the answer must be a refusal.

No single signal separates unanswerable questions from answerable ones on this corpus: every
speech talks about 政务服务, so everything looks "similar" to the embedder, and a question asked
in everyday words shares few words with its answer. The decision therefore combines several
(assess): the best sentence-window coverage of the question (qa.rerank), dense similarity (of
the passages and of their nearest sentence, and how far that falls below SENTENCE_FLOOR),
agreement between the dense and keyword retrievers, whether the passages hold a value of the
kind the question asks for bound to its topic (qa.slots), and how much of the question no
speech mentions at all, in a fitted logistic model (qa.answerability).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qa.answerability import AnswerabilityModel, default_model
from qa.binding import asked_foreign, clause_binding
from qa.evidence import TOP_PASSAGES
from qa.fusion import PAIRS, SENTENCES
from qa.question import QUOTED_TERM, asked_term, asks_for_figure, topic_words, wants_source
from qa.rerank import TermWeights, best_window, best_window_coverage
from qa.slots import Slot, SlotMatch, asked_slot, value_binding
from vectorstore.records import ScoredChunk
from vectorstore.text import fold


@dataclass(frozen=True)
class EvidenceStrength:
    """How well the best retrieved passages cover the question."""

    coverage: float  # best IDF-weighted share of the question in two adjacent sentences, 0..1
    dense: float  # best cosine similarity among the passages (0 when unknown), for the notes
    best: int  # index of the passage that gave `coverage`


def evidence_strength(weights: TermWeights, hits: Sequence[ScoredChunk],
                      top: int = TOP_PASSAGES) -> EvidenceStrength:
    """Return the evidence strength of the top passages for a question's term weights."""
    best_cov, best_i = 0.0, 0
    for i, hit in enumerate(hits[:top]):
        cov = best_window_coverage(weights, hit.chunk.text)
        if cov > best_cov:
            best_cov, best_i = cov, i
    dense = max((h.dense for h in hits[:top] if h.dense is not None), default=0.0)
    return EvidenceStrength(coverage=best_cov, dense=float(dense), best=best_i)


# A figure in a passage: digits, a Chinese number with a unit, a percentage, or a blanked figure.
_FIGURE = re.compile(
    r"[0-9０-９]|[一二两三四五六七八九十百千万]+[个项件家条天年月日次名人所类批倍元亿%％小分]|百分之|成以上"
    r"|[XxＸｘ×]"
)


_NOUN_FLAGS = frozenset({"n", "nz", "nt", "nr", "ns", "nrt", "vn", "eng", "j"})


def nouns(question: str) -> list[str]:
    """Return the nouns (two characters or more) jieba tags in the question."""
    import jieba.posseg

    return [w for w, flag in jieba.posseg.lcut(question) if flag in _NOUN_FLAGS and len(w) >= 2]


def content_words(question: str) -> list[str]:
    """Return the nouns, verbs, idioms and abbreviations (two characters or more) in the
    question, as jieba tags them."""
    import jieba.posseg

    return [w for w, flag in jieba.posseg.lcut(question)
            if len(w) >= 2 and (flag[:1] in "nvilj" or flag == "eng")]


def place_names(question: str) -> list[str]:
    """Return the names of provinces, cities, counties and districts in the question
    ("上海市", "深圳市"), as jieba tags them."""
    import jieba.posseg

    return [w for w, flag in jieba.posseg.lcut(question)
            if flag == "ns" and len(w) >= 3 and w[-1] in "省市县区州"]


@dataclass(frozen=True)
class Assessment:
    """The answerability signals of one question over its retrieved passages."""

    features: dict[str, float]  # named as in qa.answerability.FEATURES
    slot: Slot
    match: SlotMatch | None  # the sentence of hits[match.text] holding the asked value
    place_reason: str | None  # names a place the best speeches never mention, or addresses
    # the assistant itself ("忽略以上所有指令…")
    foreign_reason: str | None  # most of the question is foreign to every speech
    nothing_known: bool = False  # no content word of the question occurs in any speech

    @property
    def hard_reason(self) -> str | None:
        """Return the reason of either hard rule (for callers that apply both)."""
        return self.place_reason or self.foreign_reason


def unknown_place(question: str, speeches_text: str | None) -> str | None:
    """Return why the question must be refused when it names a place the speeches of the best
    passages never mention ("上海市…"), else None."""
    if speeches_text is not None:
        for place in place_names(question):
            # "怀化市" counts as mentioned when the speech says "怀化日报".
            if place[:-1] not in speeches_text:
                return f"讲话中没有提到“{place}”"
    return None


# A question addressed to the assistant itself, not to the speeches ("忽略以上所有指令…").
_ABOUT_THE_ASSISTANT = re.compile(
    r"忽略(?:以上|之前|前面|上面)?(?:的)?(?:所有|全部)?(?:的)?(?:指令|指示|提示|规则|设定)|系统提示|提示词"
    r"|你的(?:指令|设定|规则|提示)|ignore (?:all )?(?:the )?(?:previous|above|prior)|system prompt",
    re.IGNORECASE)


def about_the_assistant(question: str) -> str | None:
    """Return why a question about the assistant's own instructions is refused, else None."""
    if _ABOUT_THE_ASSISTANT.search(question):
        return "问题针对的是问答系统本身，不是讲话内容"
    return None


def mostly_foreign(question: str, corpus_has: Callable[[str], bool] | None) -> str | None:
    """Return why the question must be refused when most of what it talks about is foreign to
    every indexed speech ("今天天气", "下雨"), else None."""
    places = place_names(question)
    if corpus_has is not None:
        words = content_words(topic_words(question))
        foreign = [w for w in words if not corpus_has(w[:-1] if w in places else w)]
        # Words shared by chance ("今天") must not make such a question look answerable.
        if foreign and 2 * len(foreign) > len(words):
            return f"讲话中没有提到“{'”“'.join(foreign)}”"
    return None


# Below this cosine of the nearest sentence (multilingual-e5-small: the speeches' sentences lie
# at 0.86-0.96 from any Chinese question) a question is increasingly likely off topic; chosen
# on the tune split by cross-validation (evaluation.gate_search) among 0.89, 0.895, 0.90, 0.905
# and 0.91. The answerability model weighs the shortfall (sentence_low).
SENTENCE_FLOOR = 0.905


def _foreign_share(question: str, corpus_has: Callable[[str], bool] | None) -> tuple[float, float]:
    """Return (share of content words, share of nouns) of the question no speech contains."""
    if corpus_has is None:
        return 0.0, 0.0
    topic = topic_words(question)
    words, names = content_words(topic), nouns(topic)
    share = sum(not corpus_has(w) for w in words) / len(words) if words else 0.0
    noun_share = sum(not corpus_has(w) for w in names) / len(names) if names else 0.0
    return share, noun_share


def _agreement(hits: Sequence[ScoredChunk], top: int = TOP_PASSAGES, within: int = 5) -> float:
    """Return in [0, 1] how far the dense and keyword retrievers agree on the best passages:
    the best, over the top passages, of the share of the two ranking it within their top 5."""
    best = 0.0
    for h in hits[:top]:
        found = sum(r is not None and r <= within for r in (h.dense_rank, _keyword_rank(h)))
        best = max(best, found / 2)
    return best


def _keyword_rank(hit: ScoredChunk) -> int | None:
    """Return word BM25's rank of the passage, else the character-pair BM25's: the keyword rank
    the answerability model was fitted with."""
    return hit.bm25_rank if hit.bm25_rank is not None else hit.ranks.get(PAIRS)


def assess(
    question: str,
    hits: Sequence[ScoredChunk],
    weights: TermWeights,
    speeches_text: str | None = None,
    corpus_has: Callable[[str], bool] | None = None,
    top: int = TOP_PASSAGES,
) -> Assessment:
    """Return the answerability signals of the question over its best passages."""
    strength = evidence_strength(weights, hits, top)
    texts = [h.chunk.text for h in hits[:top]]
    windows = [best_window(weights, t)[1] for t in texts]
    slot = asked_slot(question)
    share, match = value_binding(slot, weights.coverage, texts, question)
    foreign, foreign_nouns = _foreign_share(question, corpus_has)
    dense = [h.dense for h in hits[:top] if h.dense is not None]
    # Without sentence vectors (an index built before them) the passages' own cosine stands in.
    sentence_max = max((h.scores[SENTENCES] for h in hits if SENTENCES in h.scores),
                       default=max(dense, default=0.0))
    features = {
        "coverage": strength.coverage,
        "dense_max": max(dense, default=0.0),
        # The best sentence's cosine among the passages, and how far it falls short of
        # SENTENCE_FLOOR: a question no sentence comes near is off topic.
        "sentence_max": sentence_max,
        "sentence_low": max(0.0, SENTENCE_FLOOR - sentence_max),
        "dense_top1": hits[0].dense if hits and hits[0].dense is not None else 0.0,
        "agreement": _agreement(hits, top),
        "slot_value_kind": float(slot.has_value),
        "slot_share": share,
        "slot_absent": float(slot.has_value and match is None),
        "foreign": foreign,
        "foreign_nouns": foreign_nouns,
        "figure_absent": float(asks_for_figure(question)
                               and not any(_FIGURE.search(w) for w in windows)),
        "clause_binding": clause_binding(question, slot, weights, texts),  # qa.binding
        "asked_foreign": asked_foreign(question, corpus_has),
    }
    words = content_words(topic_words(question)) if corpus_has is not None else []
    nothing_known = bool(words) and not any(corpus_has(w) for w in words)
    return Assessment(features, slot, match,
                      about_the_assistant(question) or unknown_place(question, speeches_text),
                      mostly_foreign(question, corpus_has), nothing_known)


@dataclass(frozen=True)
class Decision:
    """Whether to answer: refused with a reason, or a partial answer (the topic is there, the
    asked value is not: `partial` is the assessment whose best window names the topic)."""

    refused: bool
    reason: str | None
    probability: float  # of the question being answerable, by the fitted model
    assessment: Assessment
    partial: bool = False


@dataclass(frozen=True)
class RefusalPolicy:
    """Decides to refuse from the assessment: the hard rules first, then the fitted model
    (qa.answerability, coefficients in qa/answerability_model.json, refitted on the tune split
    by `python -m evaluation.fit_answerability`). A refused question whose topic the passages
    cover (coverage >= min_topic) but that asks for a value they do not hold bound to it
    becomes a partial answer."""

    model: AnswerabilityModel | None = None  # None: the versioned model file
    min_topic: float = 0.25
    min_coverage: float = 0.2  # below it a question none of whose words a speech uses is refused
    max_partial_share: float = 0.8

    def decide(self, question: str, hits: Sequence[ScoredChunk], weights: TermWeights,
               speeches_text: str | None = None,
               corpus_has: Callable[[str], bool] | None = None) -> Decision:
        """Return the decision for the question over its retrieved passages (best first)."""
        a = assess(question, hits, weights, speeches_text, corpus_has)
        if not hits:
            return Decision(True, "没有检索到任何段落", 0.0, a)
        model = self.model or default_model()
        if a.place_reason:
            return Decision(True, a.place_reason, 0.0, a)
        if a.nothing_known and a.features["coverage"] < self.min_coverage:
            # Not one word of the question is in the speeches ("'; DROP TABLE chunks; --").
            return Decision(True, a.foreign_reason or "讲话中没有提到问题里的任何词语", 0.0, a)
        if a.foreign_reason and model.hard_rules:
            return Decision(True, a.foreign_reason, 0.0, a)
        p = model.probability(a.features)
        if (p >= model.threshold or _explains_a_term_they_use(question, hits)
                or _asks_where_a_quote_they_hold_is(question, hits)):
            return Decision(False, None, p, a)
        f = a.features
        partial = (a.slot.has_value and f["slot_share"] < self.max_partial_share
                   and f["coverage"] >= self.min_topic)
        why = (f"讲话谈到了这个话题，但没有{a.slot.missing}" if partial
               else f"可回答的把握只有 {p:.0%}（覆盖 {f['coverage']:.0%}，相似度 {f['dense_max']:.2f}）")
        return Decision(True, why, p, a, partial=partial)


def _explains_a_term_they_use(question: str, hits: Sequence[ScoredChunk]) -> bool:
    """Return True if the question asks what a term is and the best passages use that very
    term: the speeches' own words about it are the answer, however short the question (a
    bare term scores low on the model's similarity signals)."""
    term = asked_term(question)
    return bool(term) and any(fold(term) in fold(h.chunk.text) for h in hits[:TOP_PASSAGES])


def _asks_where_a_quote_they_hold_is(question: str, hits: Sequence[ScoredChunk]) -> bool:
    """Return True if the question asks for the source of a quoted phrase (“…”出自哪篇讲话？)
    and one of the best passages holds that phrase word for word: that passage is the answer,
    however few of the question's other words it shares."""
    if not wants_source(question):
        return False
    quotes = [fold(q) for q in QUOTED_TERM.findall(question)]
    return any(q in fold(h.chunk.text) for q in quotes for h in hits[:TOP_PASSAGES])

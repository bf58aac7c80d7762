"""Which sentences of a passage support an answer, and how well a passage supports a claim."""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Protocol

from vectorstore.records import Answer, Chunk, ScoredChunk
from vectorstore.sentences import sentence_spans
from vectorstore.text import (IDEOGRAPHS, LATIN_DIGITS, TOPICLESS_WORDS, char_bigrams, char_pairs,
                              fold, has_word)


class TokenizerLike(Protocol):
    def tokens(self, text: str) -> list[str]: ...


# The best passages an answer draws its evidence from: on the tune split the passage holding the
# answer is among the first three for 77% of answerable questions, the first five for 82%
# (bench/results.md, "Embedding models compared"); further ones add mostly noise.
TOP_PASSAGES = 3
# Subtracted per rank from a sentence's score: small enough only to break near-ties, in favour
# of the passage retrieval ranked higher.
RANK_TIE_BREAK = 0.02
# How far a passage window's edge may move to meet a sentence end (a fifth of the default
# 300-character window), so no clause is cut in half without shrinking the window much.
BOUNDARY_REACH = 60
_SENTENCE_END = "。！？；\n"

# ASCII words and numbers whole, Chinese runs apart (SimpleTokenizer).
_LATIN_OR_CHINESE_RUN = re.compile(f"[{LATIN_DIGITS}]+|[{IDEOGRAPHS}]+")
# Question phrasing that would otherwise add bigrams no passage contains.
_QUESTION_PHRASES = re.compile(
    r"是什么意思|是什么|是指什么|指什么|有哪些|有什么|包括哪些|包括什么|怎么样|怎么做|怎样|怎么"
    r"|如何|为什么|为何|多少|多久|哪些|什么|是否|请问|吗|呢"
)


class SimpleTokenizer:
    """A dependency-free tokenizer: ASCII words and numbers whole, Chinese runs as bigrams.

    Used where jieba is not wanted (tests, fallbacks); vectorstore.tokenize.Tokenizer is the
    real one. Any object with a tokens(text) method can be passed instead.
    """

    def tokens(self, text: str) -> list[str]:
        """Return the tokens of text: [0-9A-Za-z]+ runs, and character bigrams of Chinese runs."""
        out: list[str] = []
        for run in _LATIN_OR_CHINESE_RUN.findall(text):
            out.extend([run] if run.isascii() or len(run) == 1 else char_pairs(run))
        return out


def content_tokens(text: str, tokenizer: TokenizerLike) -> list[str]:
    """Return the distinct topical tokens of text in order: no stopwords, punctuation or 1-char words.

    Single Chinese characters are dropped because as substrings they match almost anything;
    single digits and letters are dropped for the same reason.
    """
    seen: dict[str, None] = {}
    for tok in tokenizer.tokens(text):
        tok = fold(tok.strip())
        if len(tok) < 2 or tok in TOPICLESS_WORDS or not has_word(tok):
            continue
        seen.setdefault(tok, None)
    return list(seen)


def passage_sentences(text: str) -> list[tuple[int, int]]:
    """Return the sentence spans of text, trimmed of surrounding whitespace, empty ones dropped."""
    out = []
    for a, b in sentence_spans(text):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def pinpoint(
    question: str, chunk_text: str, tokenizer: TokenizerLike, max_sentences: int = 2
) -> tuple[tuple[int, int], ...]:
    """Return offsets into chunk_text of the sentences that best match the question, in text order.

    Each sentence is scored by 0.7 x the IDF-weighted share of the question's content tokens
    it contains (IDF over the chunk's own sentences, so a word every sentence shares counts
    little) plus 0.3 x the share of the question's character bigrams it contains (robust when
    the tokenizer splits the question and the passage differently). The best sentence is
    returned, plus further ones scoring at least half as well, up to max_sentences. Nothing
    matching at all gives () so the caller can show the whole passage unhighlighted.
    """
    if max_sentences <= 0:
        return ()
    spans = passage_sentences(chunk_text)
    if not spans:
        return ()
    sentences = [fold(chunk_text[a:b]) for a, b in spans]
    q_tokens = content_tokens(question, tokenizer)
    q_grams = char_bigrams(_QUESTION_PHRASES.sub(" ", question))

    n = len(sentences)
    idf: dict[str, float] = {}
    for tok in q_tokens:
        df = sum(tok in s for s in sentences)
        if df:
            idf[tok] = math.log(1.0 + n / df)
    idf_total = sum(idf.values())

    scores: list[float] = []
    for s in sentences:
        tok_share = sum(w for t, w in idf.items() if t in s) / idf_total if idf_total else 0.0
        gram_share = len(q_grams & char_bigrams(s)) / len(q_grams) if q_grams else 0.0
        scores.append(0.7 * tok_share + 0.3 * gram_share)

    best = max(scores)
    if best <= 0.0:
        return ()
    # Sorted by score, earlier sentence first on ties.
    order = sorted(range(n), key=lambda i: (-scores[i], i))
    chosen = [i for i in order[:max_sentences] if scores[i] >= 0.5 * best]
    return tuple(spans[i] for i in sorted(chosen))


def support_score(claim: str, passage: str, tokenizer: TokenizerLike) -> float:
    """Return in [0, 1] how much of the claim's content appears in the passage.

    The mean of two shares: the claim's content tokens found in the passage (weighted by
    length, so "审批时限" counts more than "工作"), and the claim's character bigrams found
    among the passage's. A claim with no content at all scores 0.
    """
    tokens = content_tokens(claim, tokenizer)
    grams = char_bigrams(claim)
    passage = fold(passage)
    if not tokens and not grams:
        return 0.0
    shares: list[float] = []
    if tokens:
        total = sum(len(t) for t in tokens)
        shares.append(sum(len(t) for t in tokens if t in passage) / total)
    if grams:
        shares.append(len(grams & char_bigrams(passage)) / len(grams))
    return sum(shares) / len(shares)


def passage_window(question: str, text: str, tokenizer: TokenizerLike, limit: int,
                   focus: tuple[int, int] | None = None) -> str:
    """Return text cut to at most limit characters around focus (offsets of a sentence in text)
    or, without one, its sentence matching the question best (qa.evidence.pinpoint), starting
    and ending on sentence boundaries when one is near."""
    if len(text) <= limit:
        return text
    spans = [focus] if focus else pinpoint(question, text, tokenizer, max_sentences=1)
    centre = (spans[0][0] + spans[0][1]) // 2 if spans else 0
    start = max(0, min(centre - limit // 2, len(text) - limit))
    for i in range(start, max(0, start - BOUNDARY_REACH), -1):
        if i == 0 or text[i - 1] in _SENTENCE_END:
            start = i
            break
    end = min(len(text), start + limit)
    for j in range(end, max(start, end - BOUNDARY_REACH), -1):
        if text[j - 1] in _SENTENCE_END:
            end = j
            break
    return text[start:end]


def model_passages(question: str, draft: Answer, hits: Sequence[ScoredChunk],
                   tokenizer: TokenizerLike, n: int, chars: int) -> tuple[list[Chunk], list[str]]:
    """Return the n chunks the model reads and their windows of at most chars characters: the
    passages the draft quotes first, each cut around its quoted sentence (the quote chosen for
    the asked slot, a definition say, where the passage's best match may only name the topic),
    then the best remaining hits."""
    focus: dict[str, tuple[Chunk, tuple[int, int] | None]] = {}
    for c in draft.citations:
        focus.setdefault(c.chunk.id, (c.chunk, c.highlights[0] if c.highlights else None))
    for h in hits:
        focus.setdefault(h.chunk.id, (h.chunk, None))
    chosen = list(focus.values())[:n]
    return ([chunk for chunk, _ in chosen],
            [passage_window(question, chunk.text, tokenizer, chars, span) for chunk, span in chosen])

"""Which sentences of a passage support an answer, and how well a passage supports a claim."""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol

from vectorstore.sentences import sentence_spans


class TokenizerLike(Protocol):
    def tokens(self, text: str) -> list[str]: ...


# Words that carry no topic: question words, particles, pronouns and very common verbs.
STOPWORDS = frozenset(
    """
    的 了 是 在 和 与 及 或 也 都 就 还 又 要 把 被 对 从 向 以 为 于 而 并 等 中 上 下 里
    吗 呢 吧 啊 呀 哦 嘛 么 着 过 之 其 该 此 这 那 它 他 她 我 你 您 们 我们 你们 他们 它们
    这个 那个 这些 那些 这样 那样 这里 那里 什么 哪些 哪个 哪里 怎么 怎样 怎么样 如何 为什么
    为何 多少 多久 几 谁 是否 有没有 是不是 能否 可以 请问 请 问 一下 介绍 说说 讲讲 谈谈
    具体 主要 内容 有 没有 个 一 一个 方面 情况 做 进行 哪 啥 咋 一些 以及 还有 另外
    此外 那么 然后 其中 其他 上述 前面 刚才 以上 同志们
    """.split()
)

_WORD_RUN = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_HAS_WORD = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
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
        for run in re.findall(r"[0-9A-Za-z]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", text):
            if run.isascii() or len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        return out


def content_tokens(text: str, tokenizer: TokenizerLike) -> list[str]:
    """Return the distinct topical tokens of text in order: no stopwords, punctuation or 1-char words.

    Single Chinese characters are dropped because as substrings they match almost anything;
    single digits and letters are dropped for the same reason.
    """
    seen: dict[str, None] = {}
    for tok in tokenizer.tokens(text):
        tok = _fold(tok.strip())
        if len(tok) < 2 or tok in STOPWORDS or not _HAS_WORD.search(tok):
            continue
        seen.setdefault(tok, None)
    return list(seen)


def _fold(text: str) -> str:
    """Return text in the form tokenizers emit (NFKC, lower-case), for membership tests."""
    return unicodedata.normalize("NFKC", text).lower()


def char_bigrams(text: str) -> set[str]:
    """Return the character bigrams inside runs of letters, digits and ideographs."""
    grams: set[str] = set()
    for run in _WORD_RUN.findall(_fold(text)):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def _spans(text: str) -> list[tuple[int, int]]:
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
    spans = _spans(chunk_text)
    if not spans:
        return ()
    sentences = [_fold(chunk_text[a:b]) for a, b in spans]
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
    passage = _fold(passage)
    if not tokens and not grams:
        return 0.0
    shares: list[float] = []
    if tokens:
        total = sum(len(t) for t in tokens)
        shares.append(sum(len(t) for t in tokens if t in passage) / total)
    if grams:
        shares.append(len(grams & char_bigrams(passage)) / len(grams))
    return sum(shares) / len(shares)


def best_supporting(
    claim: str, passages: Sequence[str], tokenizer: TokenizerLike
) -> tuple[int, float] | None:
    """Return (index, support) of the passage supporting the claim best, or None if none given."""
    if not passages:
        return None
    scored = [(support_score(claim, p, tokenizer), -i) for i, p in enumerate(passages)]
    score, neg_i = max(scored)
    return -neg_i, score

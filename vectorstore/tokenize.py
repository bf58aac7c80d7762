"""Jieba tokenising for BM25, with the corpus's policy terms kept whole."""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

# Function words that match almost every passage and so only add noise to BM25 scores.
STOPWORDS = frozenset(
    """
    的 了 和 与 及 以及 是 在 对 把 被 为 将 从 向 于 以 等 之 其 或 并 而 也 都 就 还 又 再 着 过
    这 那 这个 那个 这些 那些 这样 我们 你们 他们 我 你 他 她 它 有 个 上 下 中 里 要 能 会 让
    吗 呢 吧 啊 呀 哪 什么 怎么 怎样 如何 哪些 一个 一些 方面 进行 通过 关于 对于 由于 因为
    所以 但 但是 如果 可以 没有 不 也是 就是 同志 同志们
    """.split()
)


_WORD_RUN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _normalise(text: str) -> str:
    # NFKC folds full-width letters, digits and "＋" into ASCII, so “１２３４５热线” and
    # "12345热线" give the same tokens.
    return unicodedata.normalize("NFKC", text).lower()


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


class Tokenizer:
    """Splits text into BM25 tokens with a private jieba dictionary plus the given terms."""

    def __init__(self, user_terms: Iterable[str] = (), stopwords: Iterable[str] = STOPWORDS):
        self.user_terms: list[str] = sorted({_normalise(t).strip() for t in user_terms} - {""})
        self.stopwords = frozenset(stopwords)
        self._jieba = None
        self._lock = threading.Lock()

    def _segmenter(self):
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    import jieba

                    # Jieba logs "Building prefix dict…" to stderr at DEBUG level on first use.
                    jieba.setLogLevel(logging.WARNING)
                    seg = jieba.Tokenizer()
                    seg.initialize()
                    for term in self.user_terms:
                        # A high frequency makes the term win against the dictionary's
                        # splits (最多 / 跑 / 一次); suggest_freq alone is order-dependent.
                        seg.add_word(term, freq=max(seg.suggest_freq(term, tune=False), 1000))
                    self._jieba = seg
        return self._jieba

    def tokens(self, text: str) -> list[str]:
        """Return the BM25 tokens of text: search-mode jieba words, lower-cased, without
        whitespace, punctuation and stopwords."""
        seg = self._segmenter()
        out = []
        for tok in seg.lcut_for_search(_normalise(text)):
            tok = tok.strip()
            if tok and _is_word(tok) and tok not in self.stopwords:
                out.append(tok)
        return out

    def __call__(self, text: str) -> list[str]:
        return self.tokens(text)


class CharBigramTokenizer:
    """Splits text into overlapping character pairs of each run of letters, digits and ideographs.

    Keyword search over character pairs still matches when a question and a passage segment
    differently ("开办企业" / "企业开办" share "企业"; "窗口人员" / "窗口工作人员" share three
    pairs), which jieba words miss. A run of one character is kept whole."""

    user_terms: list[str] = []

    def tokens(self, text: str) -> list[str]:
        """Return the character bigrams of text, NFKC-folded and lower-cased, in order."""
        out: list[str] = []
        for run in _WORD_RUN.findall(_normalise(text)):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        return out

    def __call__(self, text: str) -> list[str]:
        return self.tokens(text)

"""Jieba tokenising for BM25, with the corpus's policy terms kept whole."""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from vectorstore.text import BM25_STOPWORDS, fold, pair_tokens


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


class Tokenizer:
    """Splits text into BM25 tokens with a private jieba dictionary plus the given terms."""

    def __init__(self, user_terms: Iterable[str] = (), stopwords: Iterable[str] = BM25_STOPWORDS):
        self.user_terms: list[str] = sorted({fold(t).strip() for t in user_terms} - {""})
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
        for tok in seg.lcut_for_search(fold(text)):
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
        return pair_tokens(text)

    def __call__(self, text: str) -> list[str]:
        return self.tokens(text)

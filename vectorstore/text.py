"""The one text normalisation: how speech text is cleaned, the folded forms text is compared
in, the characters that make words, character pairs and stopwords.

The folded forms, each for one kind of comparison (they differ on purpose):
- normalize_text: cleaned speech text (ingest): half-width letters and digits, Chinese
  punctuation, one paragraph a line. normalize_for_match: the same without whitespace, for
  substring tests across sources (evaluation evidence in a passage).
- fold: NFKC and lower case, the form the tokenizers emit; question words are looked up in it.
- fold_width: full/half width and case only, one character for one, so offsets found in the
  folded text hold in the original (term lookup, the glossary).
- copy_key / match_form: the forms two copies of a passage share (see each for why two).
- word_chars: only the word characters (letters, digits, ideographs) of a text.
qa.figures.fold is another on purpose: it writes numbers one way to check stated figures.
"""
from __future__ import annotations

import re
import unicodedata

# Characters that count as "Chinese" for spacing and punctuation decisions: CJK ideographs,
# CJK symbols and punctuation, full-width forms, and the quotes/dashes/ellipsis Chinese text uses.
_CJK_CHARS = (
    "\u2e80-\u2fdf"  # radicals
    "\u3000-\u303f"  # CJK symbols and punctuation
    "\u3040-\u30ff"  # kana (rare, harmless)
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\ufe30-\ufe4f"  # compatibility forms
    "\uff01-\uff60"  # full-width forms (after folding only punctuation is left here)
    "\uffe0-\uffe6"
    "\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"  # ‘ ’ “ ” — … ·
)
_CJK = f"[{_CJK_CHARS}]"
LATIN_DIGITS = "0-9A-Za-z"
IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # extension A, unified, compatibility
_IDEOGRAPH = re.compile(f"[{IDEOGRAPHS}]")

# Full-width ASCII letters/digits and the ideographic space are folded to half-width.
_FOLD = {cp: cp - 0xFEE0 for cp in range(ord("０"), ord("９") + 1)}
_FOLD.update({cp: cp - 0xFEE0 for cp in range(ord("Ａ"), ord("Ｚ") + 1)})
_FOLD.update({cp: cp - 0xFEE0 for cp in range(ord("ａ"), ord("ｚ") + 1)})
_FOLD[0x3000] = 0x20
# Invisible characters that web copies carry along and that would break matching.
for _cp in (0xFEFF, 0x200B, 0x200C, 0x200D, 0x2060):
    _FOLD[_cp] = None

_TO_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
# A half-width mark, unless it sits between two digits ("23:02:35", "1,000").
_HALF_PUNCT = re.compile(r"[,;:!?()]")
# Spaces and tabs between two Chinese characters, or between Chinese and a digit.
_CJK_GAP = re.compile(rf"(?<={_CJK})[ \t]+(?=[{_CJK_CHARS}0-9])|(?<=[0-9])[ \t]+(?={_CJK})")
_SPACE_RUN = re.compile(r"[^\S\n]+")
_ANY_SPACE = re.compile(r"\s+")


def _full_width_punct(line: str) -> str:
    """Return the line with half-width , ; : ! ? ( ) made full-width, except between digits."""

    def repl(m: re.Match[str]) -> str:
        i = m.start()
        if 0 < i < len(line) - 1 and line[i - 1].isascii() and line[i + 1].isascii():
            if line[i - 1].isdigit() and line[i + 1].isdigit():
                return m.group()
        return _TO_FULL[m.group()]

    return _HALF_PUNCT.sub(repl, line)


def normalize_text(s: str) -> str:
    """Return s normalised: half-width letters/digits, Chinese punctuation, one paragraph a line.

    Lines containing Chinese get full-width ，；：！？（） (marks between two digits are kept);
    spaces between Chinese characters, or between Chinese and a digit, are removed; other
    whitespace runs become one space; lines are stripped and empty lines dropped, so
    paragraphs are separated by a single "\\n". Idempotent.
    """
    s = s.translate(_FOLD).replace("\r\n", "\n").replace("\r", "\n")
    # Other line-like separators (form feed, vertical tab, U+2028/2029) end a paragraph too.
    s = re.sub(r"[\f\v\u2028\u2029\x85]", "\n", s)
    lines = []
    for line in s.split("\n"):
        line = _SPACE_RUN.sub(" ", line).strip()
        if not line:
            continue
        if _IDEOGRAPH.search(line):
            line = _full_width_punct(line)
        if " " in line or "\t" in line:
            line = _CJK_GAP.sub("", line)
        lines.append(line)
    return "\n".join(lines)


def normalize_for_match(s: str) -> str:
    """Return normalize_text(s) with all whitespace removed, for substring tests across sources."""
    return _ANY_SPACE.sub("", normalize_text(s))


# -- folding ------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Return text as the tokenizers see it: NFKC (full-width letters, digits and "＋" become
    ASCII, so "１２３４５热线" and "12345热线" match) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


# Full/half-width folding that keeps every offset: one character in, one character out.
_WIDTH_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH_FOLD[0x3000] = 0x20
_WIDTH_FOLD.update({cp: cp + 32 for cp in range(ord("A"), ord("Z") + 1)})
_WIDTH_FOLD.update({cp + 0xFEE0: cp + 32 for cp in range(ord("A"), ord("Z") + 1)})


def fold_width(text: str) -> str:
    """Return text with full-width ASCII forms made half-width and Latin letters lower-cased;
    the result has the same length, so offsets found in it hold in the original."""
    return text.translate(_WIDTH_FOLD)


# -- word characters ----------------------------------------------------------------------------

# A character that makes a word: an ASCII letter or digit, or a Chinese ideograph.
WORD_CHAR = re.compile(f"[{LATIN_DIGITS}{IDEOGRAPHS}]")
WORD_RUN = re.compile(f"[{LATIN_DIGITS}{IDEOGRAPHS}]+")
# Anything but a letter or digit of any script (Unicode \w): what copies of one passage may differ
# in. Wider than "not WORD_CHAR" on purpose: list numbers such as ① or Ⅱ tell passages apart.
NOT_WORD = re.compile(r"[\W_]+")
# Punctuation and symbols only: "_" stays, since a run of it is a blank standing for a figure.
_PUNCTUATION = re.compile(r"[^\w]")
# Anonymised figures are spelt x, xx, xxx or × by different copies of the same speech.
_PLACEHOLDER = re.compile(r"[xX×]+")


def has_word(text: str) -> bool:
    """Return True if text holds any word character (not only punctuation, spaces or emoji)."""
    return WORD_CHAR.search(text) is not None


def word_chars(text: str) -> str:
    """Return the word characters of text, joined ("“最多跑一次”改革？" → "最多跑一次改革")."""
    return "".join(WORD_CHAR.findall(text))


def copy_key(text: str) -> str:
    """Return the form two copies of a passage share when ingest merges them: normalize_for_match
    without punctuation, placeholder figures spelt one way.

    Copies of a speech in the corpus differ in punctuation ("阳光审批·优质服务", a "。" before
    "一是") and in how figures are blanked out ("xx市" / "x市"), not in their words."""
    return _PUNCTUATION.sub("", _PLACEHOLDER.sub("x", normalize_for_match(text)))


def match_form(text: str) -> str:
    """Return text reduced to its letters, digits and ideographs (NFKC, lower case), to spot a
    retrieved passage repeating a better-ranked one.

    Not copy_key: retrieval sees chunks ingest has already merged, and compares every letter of
    any script and case-blind; making the two one would change which chunks either merges."""
    return NOT_WORD.sub("", unicodedata.normalize("NFKC", text)).lower()


# -- character pairs ----------------------------------------------------------------------------


def char_pairs(run: str) -> list[str]:
    """Return the overlapping character pairs of a run ("政务服务" → 政务, 务服, 服务)."""
    return [run[i : i + 2] for i in range(len(run) - 1)]


def pair_tokens(text: str) -> list[str]:
    """Return the character pairs of each run of word characters of fold(text), in order; a run
    of one character is kept whole."""
    out: list[str] = []
    for run in WORD_RUN.findall(fold(text)):
        out.extend(char_pairs(run) if len(run) > 1 else [run])
    return out


def char_bigrams(text: str) -> set[str]:
    """Return the character pairs inside runs of word characters of fold(text)."""
    return {pair for run in WORD_RUN.findall(fold(text)) for pair in char_pairs(run)}


# -- stopwords ----------------------------------------------------------------------------------

# Function words: they occur in nearly every passage and say nothing about its topic.
FUNCTION_WORDS = frozenset(
    """
    的 了 和 与 及 以及 是 在 对 把 被 为 从 向 于 以 等 之 其 或 并 而 也 都 就 还 又 着 过
    这 那 这个 那个 这些 那些 这样 我们 你们 他们 我 你 他 她 它 有 个 上 下 中 里 要
    吗 呢 吧 啊 呀 哪 什么 怎么 怎样 如何 哪些 一个 一些 方面 进行 可以 没有 同志们
    """.split()
)
# Left out of BM25 tokens (vectorstore.tokenize): function words plus the connectives and
# auxiliaries of running speech, which only add noise to the scores.
BM25_STOPWORDS = FUNCTION_WORDS | frozenset(
    "将 再 能 会 让 通过 关于 对于 由于 因为 所以 但 但是 如果 不 也是 就是 同志".split()
)
# Words of a question that carry no topic (qa.evidence): function words plus question words,
# particles, pronouns and the verbs of asking ("介绍", "说说"), which a passage need not hold.
TOPICLESS_WORDS = FUNCTION_WORDS | frozenset(
    """
    哦 嘛 么 该 此 您 们 它们 那样 这里 那里 哪个 哪里 怎么样 为什么 为何 多少 多久 几 谁 是否
    有没有 是不是 能否 请问 请 问 一下 介绍 说说 讲讲 谈谈 具体 主要 内容 一 情况 做 啥 咋
    还有 另外 此外 那么 然后 其中 其他 上述 前面 刚才 以上
    """.split()
)

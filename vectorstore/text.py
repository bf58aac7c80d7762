"""The one text normalisation used for cleaned speech text, and its whitespace-free match form."""
from __future__ import annotations

import re

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
_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

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

"""Finding where the published speech text blanked out a figure or a name ("X个", "20xx年", "___")."""
from __future__ import annotations

import re

# Web copies of speeches replace figures and names with placeholders: X / XX / xx / × / ××
# ("X个办事专区", "提速X%", "“X”发展战略", "20xx年"), full-width Ｘ, blanks "___", and in one
# source "*" / "**" ("全县**项政务服务事项", "*镇政务服务中心").
_X = "xXｘＸ×╳✕"
_PATTERNS = (
    # A year with its last digits blanked: "20xx年", "〔20××〕".
    rf"(?<![0-9A-Za-z])(?:19|20)[{_X}]{{2}}(?![0-9A-Za-z])",
    # A run of placeholder letters not part of a Latin word or a number ("APPX", "x64", "7×24"),
    # nor the X of "X光" / "X射线".
    rf"(?<![0-9A-Za-z{_X}])[{_X}]{{1,6}}(?![0-9A-Za-z{_X}]|光|射线)",
    # A blank to fill in.
    r"(?<![0-9A-Za-z])[_＿]{2,}(?![0-9A-Za-z])",
    # One asterisk before a Chinese character ("*镇"); two only before a unit ("**项"), so
    # Markdown bold ("**要点**") is not taken for a blank.
    r"(?<![*＊])[*＊](?![*＊])(?=[\u4e00-\u9fff])",
    r"(?<![*＊])[*＊]{2,3}(?![*＊])(?=[项个件名家次万亿元人户条类期场宗天%％])",
)
_REDACTED = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))
# "3 x 4", "3×4": a multiplication, not a blank.
_TIMES = re.compile(rf"[0-9]\s*[{_X}]\s*[0-9]")


def redacted_figures(text: str) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the placeholders standing for blanked figures or names."""
    spans = []
    for m in _REDACTED.finditer(text):
        a, b = m.span()
        if _is_multiplication(text, a, b):
            continue
        spans.append((a, b))
    return spans


def _is_multiplication(text: str, a: int, b: int) -> bool:
    """Return True if text[a:b] is a single times sign between two numbers ("3 × 4")."""
    if b - a != 1:
        return False
    window = text[max(0, a - 2) : b + 2]
    return bool(_TIMES.search(window)) and any(c.isdigit() for c in text[max(0, a - 2) : a])


def mentions_redaction(text: str) -> bool:
    """Return True if the text contains any blanked figure or name."""
    return bool(redacted_figures(text))

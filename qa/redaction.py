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
    # A figure left out altogether: "现有党支部个，党员名，" — "有/共/达…" + a noun + a
    # measure word closing the clause, with no number in between.
    r"(?<=有|共|计|达|为)[\u4e00-\u9fff]{1,5}?(?<![一二三四五六七八九十百千万两几多每各整这那某半哪余])[个名](?=[，,、；;。])",
)
_YEAR = re.compile(rf"(?:19|20)[{_X}]{{2}}")
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


_UNIT_AFTER = re.compile(r"[个项件名家次万亿元人户条类天小时分钟秒%％倍年月日批所座期场宗大]")


def stands_for_number(text: str, start: int, end: int) -> bool:
    """Return True if the placeholder text[start:end] takes the place of a number: a year
    ("20xx"), a blank figure before a measure word ("X个", "**项", "提速X%"), a figure in
    quotes ("“X”发展战略") or a figure left out ("党支部个，"). Not a name ("*镇", "X企业")."""
    mark = text[start:end]
    if _YEAR.fullmatch(mark) or not any(ch in mark for ch in _X + "*＊_＿"):
        return True
    after = text[end : end + 1]
    before = text[start - 1 : start] if start else ""
    return bool(_UNIT_AFTER.match(after)) or (before in "“\"‘「" and after in "”\"’」")


def is_year_placeholder(text: str) -> bool:
    """Return True if a placeholder found by redacted_figures stands for a year ("20xx")."""
    return bool(_YEAR.fullmatch(text))


def mentions_redaction(text: str) -> bool:
    """Return True if the text contains any blanked figure or name."""
    return bool(redacted_figures(text))


# "多少个党支部" → ("个", "党支部"); "几个工作日" → ("个", "工作日"); "有多少项" → ("项", "").
_TARGET = re.compile(r"(?:多少|几)([个名项件家次条所天年月人户元倍])?([\u4e00-\u9fff]{0,4})")
_NOT_NOUN = re.compile(r"^(?:是|呢|吗|啊|了|的|在|能|可|要|才|就|都|，|。|？)")
_NUMBER = re.compile(r"[0-9０-９]+(?:\.[0-9]+)?|[一二两三四五六七八九十百千万]+")


def figure_targets(question: str) -> list[tuple[str, str]]:
    """Return (unit, noun) pairs of the figures a question asks for."""
    out = []
    for m in _TARGET.finditer(question):
        unit, noun = m.group(1) or "", m.group(2) or ""
        noun = "" if _NOT_NOUN.match(noun) else re.split(r"[是呢吗了的在，。？、]", noun)[0]
        if unit or noun:
            out.append((unit, noun))
    return out


def _near(sentence: str, a: int, b: int, unit: str, noun: str, reach: int = 8) -> bool:
    ctx = sentence[max(0, a - reach) : b + reach]
    stems = {noun, noun[:2], noun[-2:]} if len(noun) >= 2 else set()
    return any(x in ctx for x in stems) or bool(
        unit and sentence[b : b + 1] == unit and (not noun or noun[:2] in ctx)
    )


def figure_stated(question: str, sentences: list[tuple[int, int, str]]) -> bool:
    """Return True if some sentence states a figure the question asks for with a real number
    ("多少个党支部" and "建成党支部12个")."""
    for _, _, sentence in sentences:
        for unit, noun in figure_targets(question):
            for m in _NUMBER.finditer(sentence):
                if _near(sentence, m.start(), m.end(), unit, noun, reach=4) and (
                    not unit or sentence[m.end() : m.end() + 1] == unit
                ):
                    return True
    return False


def find_blanked_answer(
    question: str, sentences: list[tuple[int, int, str]]
) -> tuple[int, int, str] | None:
    """Return (item, index in sentences, placeholder) of a sentence whose blanked figure is
    the one the question asks for ("多少个党支部" and "现有党支部个，"), or None.

    sentences: (item, start, text), best passages first; item names the passage. When any
    sentence states that figure with a real number the answer exists, and None is returned."""
    targets = figure_targets(question)
    if not targets or figure_stated(question, sentences):
        return None
    for i, (item, _, sentence) in enumerate(sentences):
        for unit, noun in targets:
            for a, b in redacted_figures(sentence):
                if stands_for_number(sentence, a, b) and _near(sentence, a, b, unit, noun):
                    return item, i, sentence[a:b]
    return None

"""Numbers, dates and document numbers written one way, for comparing a sentence with a source.

fold() gives the matching form of any text: NFKC, lower case, Chinese numerals as digits
(三 → 3, 十二 → 12, 两千 → 2000), 万/千/亿 applied ("4.34万" → "43400"), 百分之N as N%,
punctuation as one space, and the slack characters 的 了 地 得 是 为 dropped. figures() reads the
figures a text states (value, unit, ordinal); document_numbers() its 〔year〕N号 references.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

SLACK = re.compile(r"[的了地得是为]")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_SCALED = re.compile(r"(\d+(?:\.\d+)?)(万亿|万|千|亿)")
_PERCENT_WORD = re.compile(r"百分之(\d+(?:\.\d+)?)")
_BRACKETS = str.maketrans({"〔": "[", "〕": "]", "［": "[", "］": "]", "【": "[", "】": "]"})
_NOT_WORD = re.compile(r"[^0-9a-z%.\[\]\u3400-\u4dbf\u4e00-\u9fff]+")
_LONE_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")

_UNITS = (r"个工作日|工作日|年度|个百分点|百分点|个月|小时|分钟|周岁|[%个项件名人家次条款章节天年月日"
          r"元户所批倍岁位篇类张份台套座处种号届轮]")
_NUMBER = re.compile(
    r"(?P<ord>第)?(?P<pct>百分之)?(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]+)"
    rf"(?P<scale>万亿|万|千|亿)?(?:多|余)?(?P<unit>{_UNITS})?"
)
_ORDINAL_UNITS = set("条款章节项次批届轮号")
# A unit that says what is counted or when: "12个" may stand for "12项", "3天" not for "3年".
_GENERIC_UNITS = {None, "个"}
COUNT_WORDS = {"个", "项", "点", "种", "类", "条"}
_DOC_NUMBER = re.compile(r"\[\s*(\d{2,4}|20xx|20××)\s*\]\s*第?(\d+)号")
_DOC_LEAD = set("了的和与及据照实彻按在将发台布即等、")
_RANGE_GAP = re.compile(r"\s*[至到~\-—－]\s*$")


def fold(text: str) -> str:
    """Return text in matching form: NFKC, lower case, Chinese numerals and 万/千/亿 as digits,
    百分之N as N%, punctuation runs as one space, and the slack characters dropped."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_BRACKETS)
    text = _CN_RUN.sub(lambda m: _cn_run_to_digits(m.group()), text)
    text = _SCALED.sub(lambda m: _format(Decimal(m.group(1)) * _scale(m.group(2))), text)
    text = _PERCENT_WORD.sub(r"\1%", text)
    text = _LONE_DOT.sub(" ", text)
    text = _NOT_WORD.sub(" ", text)
    return SLACK.sub("", text).strip()


def _cn_run_to_digits(run: str) -> str:
    """Return a run of Chinese numerals as Arabic digits; a run with no digit word stays."""
    if not any(ch in _CN_DIGITS or ch == "十" for ch in run):
        return run
    value = cn_to_int(run)
    return run if value is None else str(value)


def cn_to_int(run: str) -> int | None:
    """Return the value of a Chinese numeral (三, 十二, 两千, 4万 style 四万, 二〇二三), or None."""
    if all(ch in _CN_DIGITS for ch in run):
        return int("".join(str(_CN_DIGITS[ch]) for ch in run)) if len(run) > 1 else _CN_DIGITS[run]
    total, section, digit = 0, 0, None
    for ch in run:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        elif ch in _CN_BIG:
            if section == 0 and digit is None and total == 0:
                return None
            total = (total + section + (digit or 0)) * _CN_BIG[ch]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def _scale(word: str) -> int:
    return {"万": 10_000, "千": 1000, "亿": 100_000_000, "万亿": 10**12}[word]


def _format(value: Decimal) -> str:
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class Figure:
    """A number as stated: value, canonical unit (None when bare), ordinal (第N), surface text."""

    value: Decimal
    unit: str | None
    ordinal: bool
    text: str
    start: int = field(default=0, compare=False)  # where text stands in the text read

    def matches(self, other: Figure) -> bool:
        """Return whether other (a figure of the passage) states the same thing."""
        if self.value != other.value:
            return False
        if self.ordinal:
            return other.ordinal and self.unit == other.unit
        if self.unit in _GENERIC_UNITS or self.unit == other.unit:
            return True
        return other.unit == "个" and self.unit in COUNT_WORDS


def figures(text: str, strict: bool = True) -> list[Figure]:
    """Return the figures stated in text.

    strict (a generated sentence): a Chinese numeral counts only with a unit, after 第 or in
    百分之…, and a lone 一 ("一个平台", "一是") never counts. Not strict (a passage): every
    numeral counts, and a bare number before a range ("3至5个工作日") takes the range's unit.
    """
    text = unicodedata.normalize("NFKC", text)
    found: list[tuple[Figure, int, int]] = []
    for m in _NUMBER.finditer(text):
        num, unit = m.group("num"), m.group("unit")
        arabic = num[0].isdigit()
        if not arabic and not any(ch in _CN_DIGITS or ch == "十" for ch in num):
            continue
        value = _figure_value(num, m.group("scale"))
        if value is None:
            continue
        ordinal = bool(m.group("ord")) and unit in _ORDINAL_UNITS
        if m.group("pct"):
            unit = "%"
        if strict and not arabic:
            if num == "一" and not ordinal:
                continue
            if not (unit or ordinal):
                continue
        unit = {"个工作日": "工作日", "百分点": "个百分点", "周岁": "岁", "年度": "年"}.get(unit, unit)
        if found and unit and found[-1][0].unit is None and _RANGE_GAP.match(
                text[found[-1][2]:m.start()]) and not strict:
            prev, a, b = found[-1]
            found[-1] = (Figure(prev.value, unit, prev.ordinal, prev.text, a), a, b)
        found.append((Figure(value, unit, ordinal, m.group().rstrip("多余"), m.start()),
                      m.start(), m.end()))
    # A bare Chinese numeral in a passage is mostly a word (三是, 一体化), not a figure.
    return [f for f, _, _ in found if strict or f.unit or f.ordinal or f.text[0].isdigit()]


def _figure_value(num: str, scale: str | None) -> Decimal | None:
    try:
        value = Decimal(num) if num[0].isdigit() else None
    except InvalidOperation:
        return None
    if value is None:
        n = cn_to_int(num)
        if n is None:
            return None
        value = Decimal(n)
    return value * _scale(scale) if scale else value


def document_numbers(text: str) -> list[tuple[str, str]]:
    """Return (surface, folded form) of each document number 〔year〕N号 with its issuer's
    abbreviation when it has one ending in 发/函/字: three characters before the bracket
    (中办发), or two when the third is a verb or particle (印发国发, 出台了国发 → 国发)."""
    norm = unicodedata.normalize("NFKC", text).lower().translate(_BRACKETS)
    source = text if len(text) == len(norm) else norm
    out = []
    for m in _DOC_NUMBER.finditer(norm):
        core = f"[{m.group(1)}]{m.group(2)}号"
        before = norm[max(0, m.start() - 3):m.start()]
        if len(before) < 2 or before[-1] not in "发函字":
            prefix = ""
        elif len(before) == 3 and before[0] not in _DOC_LEAD and "\u4e00" <= before[0] <= "\u9fff":
            prefix = before
        else:
            prefix = before[-2:]
        out.append((source[m.start() - len(prefix):m.end()], SLACK.sub("", prefix) + core))
    return out

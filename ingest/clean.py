"""Strip web-page boilerplate (ads, navigation, tables of contents, paywall notes) from a speech."""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from vectorstore.text import normalize_text

# Where a paywall note cut the text; replaced by this marker on a line of its own, then turned
# into an offset after normalisation (a private-use character no source text contains).
_CUT = "\ue000"

_ELLIPSIS = r"(?:…|\.{3}|。{3})"
# "…篇一" … "…篇二十": the heading of one speech in a bundle. Used by split_speeches too.
PIECE_HEADING = re.compile(
    r"^[ \t]*(?P<stem>[^\n。！？；，,:：!?;]{2,60}?)篇(?P<num>[一二三四五六七八九十百零〇两]{1,4}|\d{1,3})[ \t]*$",
    re.MULTILINE,
)
# "最新在县政务服务中心工作会议上讲话(实用20篇)": the title of a bundle, not of a speech.
_BUNDLE_TITLE = re.compile(r"^[^\n。！？]{2,80}[(（][^()（）\n]{0,10}\d+篇[)）][ \t]*$")

_DATE_LINE = re.compile(
    r"^[ \t]*(?:发表|发布|更新)(?:时间|日期)[:：][ \t]*"
    r"(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?[^\n]*(?:\n|\Z)",
    re.MULTILINE,
)
_NAV_LINE = re.compile(r"^[ \t]*(?:您的位置|当前位置|您现在的位置)[:：][^\n]*(?:\n|\Z)", re.MULTILINE)
# "目录/提纲:……" then the headings, closed by a line of "……"; the body repeats the headings.
_TOC_BLOCK = re.compile(
    rf"^[ \t]*(?:目录/提纲|目录|提纲)[:：]?[ \t]*{_ELLIPSIS}*[ \t]*\n"
    rf"(?:[^\n]*\n){{0,80}}?[ \t]*{_ELLIPSIS}+[ \t]*(?:\n|\Z)",
    re.MULTILINE,
)
# "共\n2\n页,当前第。\n1\n页\n1\n2": a pager copied along with the page.
_PAGER = re.compile(
    r"^[ \t]*共\s*\d+\s*页[,，]?\s*当前第[。.]?\s*\d+\s*页[ \t]*(?:\n[ \t]*\d+[ \t]*(?=\n|\Z))*(?:\n|\Z)",
    re.MULTILINE,
)
# "下面是小编为大家整理的,供大家参考。": an essay site's editor talking, a whole line of it.
_EDITOR_LINE = re.compile(
    r"^[^\n]{0,120}(?:小编|本站|为大家整理|为大家收集|欢迎品鉴|欢迎阅读)[^\n]{0,120}(?:\n|\Z)", re.MULTILINE
)
# "……(新文秘网http://www.wm114.cn省略985字,正式会员可完整阅读)……"
_OMITTED = re.compile(
    rf"[ \t]*{_ELLIPSIS}*[ \t]*[(（][^()（）\n]{{0,80}}?省略[ \t]*\d+[ \t]*字[^()（）\n]{{0,40}}[)）][ \t]*{_ELLIPSIS}*[ \t]*"
)
# "……(未完,全文共6001字,当前仅显示2766字,请阅读下面提示信息。收藏《…》": the page shows no
# more of this speech, so the note (to the end of its line) ends it. What follows is kept: in a
# file joined from several pages it is the next speech.
_UNFINISHED = re.compile(
    rf"[ \t]*{_ELLIPSIS}*[ \t]*[(（][ \t]*未完[,，][^\n]{{0,40}}?(?:全文共|当前仅显示)[^\n]*"
)
# Where a speech ends because its page was cut off (an _UNFINISHED note); like _CUT otherwise.
_END = "\ue001"
# Inline ads of essay sites: "笔杆儿网www.bgzjy.cn", "笔杆儿网，www.biganzijiayuan.com", and
# their bare domains. Only known ad sites: a speech may legitimately name a government site.
_AD_SITE = r"(?:笔杆儿网|笔杆子家园|新文秘网|文秘114)"
_AD_DOMAIN = r"(?:bgzjy\.cn|biganzijiayuan\.com|wm114\.cn)"
_URL = (
    r"(?:(?:https?://)?www\.|https?://)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
    r"(?:/[A-Za-z0-9._~%/?=&#-]*)?"
)
_AD = re.compile(
    rf"[ \t]*{_AD_SITE}[ \t]*[，,、:：]?[ \t]*(?:{_URL})?"
    # The lookbehind starts a bare domain only where an ASCII run starts: linear on long runs.
    rf"|[ \t]*(?<![A-Za-z0-9./:-])(?:https?://)?(?:[A-Za-z0-9-]+\.)*?{_AD_DOMAIN}"
    r"(?:/[A-Za-z0-9._~%/?=&#-]*)?"
)
# Cheap substring tests that let clean_text skip the costly patterns on most texts.
_AD_HINTS = ("笔杆儿网", "笔杆子家园", "新文秘网", "文秘114", "bgzjy", "biganzijiayuan", "wm114")


@dataclass(frozen=True)
class CleanedText:
    """Speech text without boilerplate, normalised, with what was learnt and removed on the way."""

    text: str
    date: str | None = None  # ISO "2025-07-02" from a "发表时间" line
    truncated_at: tuple[int, ...] = ()  # offsets in text where the web source cut the speech
    removed: list[str] = field(default_factory=list)  # the boilerplate pieces, as found
    # offsets (among truncated_at) after which the cut speech is over: any text that follows
    # belongs to another speech
    speech_ends: tuple[int, ...] = ()


def clean_text(raw: str) -> CleanedText:
    """Return raw speech text without web boilerplate, normalised, with its date and cut points."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    removed: list[str] = []

    def drop(pattern: re.Pattern[str], s: str, repl: str = "", count: int = 0) -> str:
        def sub(m: re.Match[str]) -> str:
            if m.group().strip():
                removed.append(m.group().strip())
            return repl

        return pattern.sub(sub, s, count=count)

    date = None
    m = _DATE_LINE.search(text)
    if m:
        date = _iso_date(m.group("y"), m.group("m"), m.group("d"))
        removed.append(m.group().strip())
        text = text[: m.start()] + text[m.end() :]

    text = drop(_NAV_LINE, text)
    text = drop(_TOC_BLOCK, text)
    text = _drop_bundle_preface(text, removed)
    text = drop(_PAGER, text)
    text = drop(_EDITOR_LINE, text)
    # Paywall notes before ads: the notes themselves contain an ad site's URL.
    if "省略" in text:
        text = drop(_OMITTED, text, repl=f"\n{_CUT}\n")
    if "未完" in text:
        text = drop(_UNFINISHED, text, repl=f"\n{_END}\n")
    if any(hint in text for hint in _AD_HINTS):
        text = drop(_AD, text)

    text = normalize_text(text)
    lines: list[str] = []
    cuts: list[int] = []
    ends: list[int] = []
    length = -1  # length of "\n".join(lines), kept as we go
    for line in text.split("\n"):
        if line in (_CUT, _END):
            at = max(length, 0)
            if not cuts or cuts[-1] != at:
                cuts.append(at)
            if line == _END and (not ends or ends[-1] != at):
                ends.append(at)
            continue
        lines.append(line)
        length += len(line) + 1
    return CleanedText(text="\n".join(lines), date=date, truncated_at=tuple(cuts), removed=removed,
                       speech_ends=tuple(ends))


def _drop_bundle_preface(text: str, removed: list[str]) -> str:
    """Return text without a bundle's title and blurb (the lines before its first 篇 heading)."""
    headings = list(PIECE_HEADING.finditer(text))
    if len(headings) < 2:
        return text
    preface = text[: headings[0].start()]
    first_line = next((line for line in preface.split("\n") if line.strip()), "")
    if not _BUNDLE_TITLE.match(first_line.strip()):
        return text
    removed.extend(line.strip() for line in preface.split("\n") if line.strip())
    return text[headings[0].start() :]


def _iso_date(y: str, m: str, d: str) -> str | None:
    """Return the ISO form of a date, or None when the numbers are not a real date."""
    try:
        return _dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None

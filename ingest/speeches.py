"""Split cleaned text into SpeechDocuments: one per 篇 of a bundle, or the whole file as one."""
from __future__ import annotations

import re
from pathlib import Path, PurePath

from ingest.clean import PIECE_HEADING, CleanedText, clean_text
from ingest.load import load_file
from vectorstore.records import SpeechDocument, stable_id

_MAX_TITLE = 60
# A title line has no sentence punctuation and is not a salutation or a numbered heading.
_SENTENCE_MARK = re.compile(r"[。！？；，：…!?;,:]")
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．])")
_SALUTATION = re.compile(r"^(?:同志们|各位|尊敬的|大家好)")
# "今天，我们召开2022年度市区政务服务工作暨党风廉政建设会议，…" → the meeting's name.
_MEETING = re.compile(r"(?:召开|举行)(?:了|的是|这次)?(?P<name>[^，。！？；、“”《》（）\n]{2,40}?(?:会议|大会|座谈会|推进会|部署会|动员会))")
# "…认真学习了党的二十大精神…我谈几个方面的体会" → what the talk reflects on.
_STUDY = re.compile(r"学习(?:了|贯彻|领会|宣传|落实)*(?P<topic>[^，。！？；、“”\n]{2,20}?精神)")
_OPENING = 400  # characters of the opening searched for a title


def split_speeches(cleaned: CleanedText, source: str) -> list[SpeechDocument]:
    """Return the speeches in cleaned text: one per "…篇N" heading, or the whole text as one.

    A speech cut off by its web page (cleaned.speech_ends) ends there; the text after the cut
    is split the same way, as further speeches, so nothing of a joined file is lost.

    Bundle titles are the heading with the number in brackets ("在县政务服务中心工作会议上讲话（篇一）");
    the heading line is not part of the text. doc_id = stable_id(source, ordinal), the ordinal
    counting speeches in the file from 0, so it survives edits of the text.
    """
    docs: list[SpeechDocument] = []
    for part, (a, b) in enumerate(_parts(cleaned)):
        docs.extend(_split_part(cleaned, source, a, b, prefix="" if part == 0 else f"{part}:"))
    return _unique_titles(docs)


def _parts(cleaned: CleanedText) -> list[tuple[int, int]]:
    """Return the (start, end) spans of text between the speech ends, blank ones left out."""
    text = cleaned.text
    bounds = [0, *(e for e in cleaned.speech_ends if 0 < e < len(text)), len(text)]
    spans = []
    for a, b in zip(bounds, bounds[1:]):
        while a < b and text[a] in "\n ":
            a += 1
        if a < b:
            spans.append((a, b))
    return spans or [(0, len(text))]


def _split_part(cleaned: CleanedText, source: str, a: int, b: int, prefix: str) -> list[SpeechDocument]:
    """Return the speeches of cleaned.text[a:b] (offsets stay those of the whole text)."""
    text = cleaned.text
    headings = list(PIECE_HEADING.finditer(text, a, b))
    if len(headings) < 2:
        return _single(cleaned, source, a, b, prefix)

    docs: list[SpeechDocument] = []
    preamble = text[a: headings[0].start()].strip("\n")
    if preamble:
        # Text before the first 篇 is kept (never lose a sentence) as a speech of its own.
        docs.append(_document(cleaned, source, f"{prefix}preamble", _derive_title(preamble, source),
                              a, a + len(preamble)))
    for i, m in enumerate(headings):
        body_start = m.end() + 1 if m.end() < b else m.end()
        body_end = headings[i + 1].start() - 1 if i + 1 < len(headings) else b
        if body_end <= body_start:
            continue  # a heading with nothing under it
        title = f"{m.group('stem').strip()}（篇{m.group('num')}）"
        docs.append(_document(cleaned, source, f"{prefix}{i}" if prefix else i, title, body_start,
                              body_end))
    return docs


def load_speeches(path: Path, corpus_root: Path) -> list[SpeechDocument]:
    """Return the speeches of one file: load, clean, split; source is the path under corpus_root."""
    return load_speeches_counting_removed(path, corpus_root)[0]


def load_speeches_counting_removed(path: Path, corpus_root: Path) -> tuple[list[SpeechDocument], int]:
    """Return (the speeches of one file, how many of its visible characters none of them keeps)."""
    path = Path(path)
    try:
        source = path.resolve().relative_to(Path(corpus_root).resolve()).as_posix()
    except ValueError:
        source = path.name
    raw = load_file(path).text
    docs = split_speeches(clean_text(raw), source)
    return docs, removed_characters(raw, docs)


def removed_characters(raw: str, docs: list[SpeechDocument]) -> int:
    """Return how many visible (non-blank) characters of raw text no speech keeps, in its text
    or its title: what cleaning dropped as boilerplate."""
    kept = sum(_visible(d.text) + _visible(d.title) for d in docs)
    return max(0, _visible(raw) - kept)


def _visible(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def _single(cleaned: CleanedText, source: str, a: int, b: int,
            prefix: str = "") -> list[SpeechDocument]:
    """Return cleaned.text[a:b] as one speech, titled by its first line when that is a title."""
    text = cleaned.text
    if a >= b:
        return []
    ordinal = f"{prefix}0" if prefix else 0
    first, _, rest = text[a:b].partition("\n")
    if _looks_like_title(first) and rest:
        title = first
        start = a + len(first) + 1
        # Web copies often print the title twice (page heading, then article heading).
        while text.startswith(title + "\n", start) and start + len(title) + 1 <= b:
            start += len(title) + 1
        return [_document(cleaned, source, ordinal, title, start, b)]
    return [_document(cleaned, source, ordinal, _derive_title(text[a:b], source), a, b)]


def _document(
    cleaned: CleanedText, source: str, ordinal: object, title: str, start: int, end: int
) -> SpeechDocument:
    """Return the SpeechDocument for cleaned.text[start:end], with cut offsets re-based."""
    cuts = tuple(c - start for c in cleaned.truncated_at if start <= c <= end)
    return SpeechDocument(
        doc_id=stable_id(source, ordinal),
        title=title,
        text=cleaned.text[start:end],
        source=source,
        date=cleaned.date,
        truncated_at=cuts,
    )


def _looks_like_title(line: str) -> bool:
    """Return whether a first line reads as a title rather than as speech."""
    return (
        2 <= len(line) <= _MAX_TITLE
        and not _SENTENCE_MARK.search(line)
        and not _NUMBERED.match(line)
        and not _SALUTATION.match(line)
    )


def _derive_title(text: str, source: str) -> str:
    """Return a readable title for an untitled speech: its meeting or study topic, else the file name."""
    opening = text[:_OPENING]
    m = _MEETING.search(opening)
    if m:
        name = re.sub(r"^(?:这次|此次|本次|今天的?)", "", m.group("name"))
        return f"在{name}上的讲话"
    m = _STUDY.search(opening)
    if m and re.search("体会|心得", opening):
        return f"学习{m.group('topic')}心得体会"
    return PurePath(source).stem


def _unique_titles(docs: list[SpeechDocument]) -> list[SpeechDocument]:
    """Return docs with repeated titles numbered ("…（2）"), so every title names one speech."""
    seen: dict[str, int] = {}
    out = []
    for d in docs:
        n = seen.get(d.title, 0) + 1
        seen[d.title] = n
        if n > 1:
            d = SpeechDocument(d.doc_id, f"{d.title}（{n}）", d.text, d.source, d.date, d.truncated_at)
        out.append(d)
    return out

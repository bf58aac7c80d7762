"""Gives the glossary of a set of speeches: policy terms, their defining sentences, their counts.

Terms: quoted “…” slogans and their listed parts, the numbered formulas vectorstore.policy_terms
gives jieba, digit slogans (“321608”, 1+19+7+n) and the subjects of definitions. A definition
says what a term is: “X”是指…, X，即…, “X”制度：即…, X就是…, 所谓X…, “X”（…）, …（简称“X”）,
X是…的简称, 这类信息主要是指… after a sentence naming 预警类信息, and numbered terms whose items
are spelled out (ingest.term_lists). An unquoted subject (手勤就是要多写) counts only when short,
at the clause start, not a connective (这就是, 目的就是) nor an action (建立…，就是要… is a
purpose), and followed by 就是要, 是指 or 即: a bare 就是 is a metaphor (思考就是升华).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ingest.term_lists import (count_named, counted_part_definitions, headline_definitions,
                               items_end)
from vectorstore.policy_terms import extract_policy_terms, quoted_terms
from vectorstore.records import SpeechDocument
from vectorstore.sentences import sentence_spans
from vectorstore.term_index import Definition, TermEntry, TermIndex, save_term_index
from vectorstore.text import fold_width

# Digit slogans: 1+19+7+n, 7+1+n, 5+2; a quoted number such as “321608”.
_PLUS_FORMULA = re.compile(r"(?<![0-9A-Za-z+])([0-9]+(?:[+＋][0-9A-Za-z]+)+)(?![0-9A-Za-z+])")
_QUOTED_NUMBER = re.compile(r"“([0-9]{3,8})”")

# What may stand between a quoted term and the defining word: “六公开”制度：即, “四强”党支部（.
_SUFFIX = r"[^，。；：“”（）、的\n]{0,6}"
_QUOTED_DEF = re.compile(
    rf"“(?P<term>[^“”\n]{{2,20}})”{_SUFFIX}"
    r"(?:(?P<paren>[（(](?P<inner>[^（）()\n]{4,160})[）)])"
    r"|[，,]?\s*(?P<word>是指|指的是|就是(?![这那])|也就是(?![这那])|即(?=[：:])|(?<=[，,])即)"
    r"|(?P<colon>[：:]\s*(?:即|一是|一要|一是要|第一)))"
)
# “五加强五突破”是…的有力措施: a quoted term said to be a kind of measure, system or method.
_QUOTED_IS = re.compile(
    r"“(?P<term>[^“”\n]{2,20})”是[^，。；！？\n]{2,60}的[^，。；！？“”\n]{0,6}"
    r"(?:措施|机制|制度|办法|模式|工作法|平台|体系|工程|举措|简称|原则|标准|要求)(?=[，。；！？])"
)
# 十大关系，即：… / 两个应用平台，即…: a counted phrase spelt out after 即.
_COUNTED_IS = re.compile(
    r"(?P<term>[两二三四五六七八九十]+(?:个|大|项|类|条|种)[\u4e00-\u9fff]{1,6}?)(?:[，,]即|即[：:])")
# 干得“好不好”的标准就是…: what a quoted word is measured by or means.
_QUOTED_MEANS = re.compile(r"“(?P<term>[^“”\n]{2,20})”的(?:标准|含义|意思|内涵)(?:就是|是指|是)")
# 政务信息是领导的“千里眼”、“顺风耳”，就是这个意思: the previous sentence says what they mean.
_THAT_MEANING = re.compile(r"[，,]?就是这个意思[。！]?$")
_QUOTED_TERM = re.compile(r"“([^“”\n]{2,20})”")
_SO_CALLED = re.compile(r"(?<![无有])所谓“?(?P<term>[^“”，。；：\n]{2,12}?)”?(?:[，,]|就是|是指|即)")
# An unquoted subject right before the defining word, from the start of its clause.
_PLAIN_DEF = re.compile(
    r"(?:^|(?<=[，。；：！？,;:\s]))(?P<term>[\u4e00-\u9fff]{2,8}?)"
    r"(?P<word>是指|指的是|就是(?![这那])|[，,]就是(?![这那])|[，,]即)"
)
_NOT_SUBJECT_START = tuple(
    "这 那 其 也 就 都 而 但 即 还 又 更 最 我 你 他 她 它 对 在 如 若 第 当前 目的 主要 本身 以上 只有 只要 "
    "因为 所以 因此 同时 特别 尤其 真正 有的 有些 一些 这些 那些 大家 同志 今天 现在 关键 核心 重点 根本"
    .split()
)
_NOT_SUBJECT_END = tuple("的 也 都 就 才 正 这 那 主要 目的 本身 实际上 其实 说 讲 看".split())
# An unquoted subject that starts with one of these is an action: “建立政务服务中心，就是要…”
# says what the action is for, not what a term means.
_ACTION_START = tuple(
    "建立 组建 成立 设立 开展 推进 推行 推动 加强 加快 深化 落实 做好 抓好 搞好 召开 实施 实行 坚持 "
    "提高 提升 打造 建设 完善 优化 强化 贯彻 开设 办好 做到 实现".split()
)
# …（简称“X”） / …（以下简称“X”）: the name before the bracket defines the short one.
_SHORT_NAME = re.compile(r"[（(](?:以下)?简称[为：:]?[“《](?P<term>[^“”《》\n]{2,20})[”》][）)]")
# X是…的简称 / “X”是…的缩写, X starting its clause.
_SHORT_FOR = re.compile(
    r"(?:^|(?<=[，。；：！？,;:\s]))“?(?P<term>[^“”，。；：！？、\s]{2,12}?)”?[，,]?是"
    r"[^，。；！？\n]{2,60}?的(?:简称|缩写)")
# 这类信息主要是指… refers back to the 预警类信息 the sentence before named.
_THIS_KIND = re.compile(r"这(?P<cls>[类种])(?P<noun>[\u4e00-\u9fff]{1,4}?)(?:主要|一般|通常)?(?:是指|指的是)")
_PATTERN_RANK = {"是指": 0, "即": 1, "简称": 1, "括注": 2, "列举": 3, "展开": 4, "所谓": 5,
                 "冒号": 6, "是": 7, "就是": 8}
_NUMERAL_VALUES = dict(zip("两二三四五六七八九十", (2, 2, 3, 4, 5, 6, 7, 8, 9, 10)))
# A list of items joined by 、 (inside quotes or not) right before a numbered term.
# …呼声，集“三个服务”于一体: the list ends at the comma.
_LISTED = re.compile(
    r"(?:^|(?<=[，。；：“]))(?P<items>[^，。；：“”、\n]+(?:、[^，。；：“”、\n]+)+)(?P<join>”?的?|[，,]集)“"
    r"(?P<term>[两二三四五六七八九十][^“”，。；：、\n]{1,5}?)(?=”)"
)
# “一窗通办”“一地通办”…“一码通办”“六个通办”: a run of quoted items, then the numbered term.
_QUOTED_RUN = re.compile(
    r"(?P<items>(?:“[^“”，。；\n]{2,12}”、?){2,})“(?P<term>[两二三四五六七八九十][^“”，。；：、\n]{1,5}?)”"
)


def digit_slogans(text: str) -> list[str]:
    """Return the numbered slogans written in digits (1+19+7+n, “321608”), in text order."""
    found = [m.group(1) for m in _PLUS_FORMULA.finditer(text)]
    found += [m.group(1) for m in _QUOTED_NUMBER.finditer(text)]
    return found


def _inside_quote(sentence: str, pos: int) -> bool:
    before = sentence[:pos]
    return before.count("“") > before.count("”")


def _plain_subject_ok(term: str, word: str, after: str) -> bool:
    """Return whether an unquoted subject before a defining word is a term being defined."""
    if word == "就是" and not after.startswith("要"):
        return False  # 思考就是升华, 政务中心窗口就是部门: a metaphor or a role
    return (not term.startswith(_NOT_SUBJECT_START + _ACTION_START)
            and not term.endswith(_NOT_SUBJECT_END) and "的" not in term and "是" not in term)


def _numeral(term: str) -> int | None:
    """Return the count a numbered term names (七个一 → 7, 五位一体 → 5), None if it names none."""
    value = _NUMERAL_VALUES.get(term[:1])
    return value if value and value >= 2 else None


def listed_definitions(doc: SpeechDocument, start: int, end: int) -> list[tuple[str, Definition]]:
    """Return (term, Definition) for numbered terms right after a list of as many items:
    任务、标准、责任、时限、奖惩“五明确”; “统一导办、…、一体监管”的“七个一”."""
    sentence = doc.text[start:end]
    found = []
    for m in _LISTED.finditer(sentence):
        term, items = m.group("term"), m.group("items").split("、")
        # The first item may carry the clause's lead-in (确保做到任务、标准…); the last one
        # must be an item like the others, not a clause (人员不能实现“三集中”), unless a comma
        # closes the list (…呼声，集“三个服务”于一体).
        like_others = len(items[-1]) <= max(len(i) for i in items[1:-1]) + 2 if len(
            items) > 2 else len(items[-1]) <= len(items[0])
        closed = m.group("join").endswith("集")
        if _numeral(term) == len(items) and (like_others or closed) and all(
                len(i) <= 16 for i in items):
            found.append((term, Definition(doc.doc_id, start, end, start + m.start("term"),
                                           start + m.end("term"), "列举")))
    for m in _QUOTED_RUN.finditer(sentence):
        term = m.group("term")
        if _numeral(term) == m.group("items").count("“") and not _inside_quote(sentence, m.start()):
            found.append((term, Definition(doc.doc_id, start, end, start + m.start("term"),
                                           start + m.end("term"), "列举")))
    return found


def spelled_out_definitions(doc: SpeechDocument, spans: Sequence[tuple[int, int]]
                            ) -> list[tuple[str, Definition]]:
    """Return (term, Definition) for digit formulas whose next sentence spells out every
    number: “1+19+7+n”工作法 → 以1个…，市直19个…督促7个…推进n个…; the definition spans both."""
    found = []
    for (s, e), (_, next_end) in zip(spans, spans[1:]):
        for m in _PLUS_FORMULA.finditer(doc.text, s, e):
            parts = re.split(r"[+＋]", m.group(1))
            following = doc.text[e:next_end]
            if all(re.search(rf"(?<![0-9A-Za-z]){re.escape(p)}个", following) for p in parts):
                found.append((m.group(1), Definition(doc.doc_id, s, next_end, m.start(1),
                                                     m.end(1), "展开")))
    return found


def sentence_definitions(doc: SpeechDocument, start: int, end: int) -> list[tuple[str, Definition]]:
    """Return (term, Definition) for every definition in the sentence doc.text[start:end]."""
    sentence = doc.text[start:end]
    found: list[tuple[str, Definition]] = []

    def add(term: str, t_start: int, pattern: str) -> None:
        term = term.strip()
        if 2 <= len(term) <= 20 and not any(t == term for t, _ in found):
            found.append((term, Definition(doc.doc_id, start, end, start + t_start,
                                           start + t_start + len(term), pattern)))

    for m in _QUOTED_DEF.finditer(sentence):
        if _inside_quote(sentence, m.start()):
            continue
        if m.group("paren") and not re.search(r"[\u4e00-\u9fff]{2}", m.group("inner")):
            continue  # “…”（2023） names a year, not a meaning
        word = m.group("word")
        pattern = "括注" if m.group("paren") else "冒号" if m.group("colon") else (
            "是指" if word in ("是指", "指的是") else "即" if word == "即" else "就是")
        if sentence[: m.start()].endswith("所谓"):
            pattern = "所谓"
        add(m.group("term"), m.start("term"), pattern)
    for pattern in (_SHORT_NAME, _SHORT_FOR):
        for m in pattern.finditer(sentence):
            if pattern is _SHORT_NAME or _plain_subject_ok(m.group("term"), "是", ""):
                add(m.group("term"), m.start("term"), "简称")
    for m in _QUOTED_IS.finditer(sentence):
        if not _inside_quote(sentence, m.start()):
            add(m.group("term"), m.start("term"), "是")
    for m in _COUNTED_IS.finditer(sentence):
        if not _inside_quote(sentence, m.start()):
            add(m.group("term"), m.start("term"), "即")
    for m in _QUOTED_MEANS.finditer(sentence):
        add(m.group("term"), m.start("term"), "就是")
    for m in _SO_CALLED.finditer(sentence):
        add(m.group("term"), m.start("term"), "所谓")
    for m in _PLAIN_DEF.finditer(sentence):
        term, word = m.group("term"), m.group("word").lstrip("，,")
        if _inside_quote(sentence, m.start("term")) or not _plain_subject_ok(
                term, word, sentence[m.end():]):
            continue
        add(term, m.start("term"), "是指" if word in ("是指", "指的是") else word)
    return found


def referring_definitions(doc: SpeechDocument, spans: Sequence[tuple[int, int]]
                          ) -> list[tuple[str, Definition]]:
    """Return (term, Definition) for 这类信息主要是指… whose previous sentence names the kind
    (突出加强预警类信息的调研编报。这类信息主要是指…): the definition spans both sentences."""
    found = []
    for (ps, pe), (s, e) in zip(spans, spans[1:]):
        m = _THIS_KIND.match(doc.text, s, e)
        if not m:
            continue
        named = rf"[\u4e00-\u9fff]{{2}}{m.group('cls')}{re.escape(m.group('noun'))}"
        hits = list(re.finditer(named, doc.text[ps:pe]))
        if hits:
            h = hits[-1]
            found.append((h.group(), Definition(doc.doc_id, ps, e, ps + h.start(), ps + h.end(),
                                                "是指")))
    return found


def _with_all_items(doc: SpeechDocument, spans: Sequence[tuple[int, int]], term: str,
                    d: Definition) -> Definition:
    """Return the definition extended over the rest of its list when it gives only the first
    item (十大关系，即：…；…； / “七类事项办理制”：一是…；二是…。…七是…。)."""
    if d.pattern not in ("即", "冒号"):
        return d
    end = items_end(doc, spans, d.start, d.end, count_named(term))
    if end is None or end <= d.end:
        return d
    return Definition(d.doc_id, d.start, end, d.term_start, d.term_end, d.pattern)


def document_definitions(doc: SpeechDocument) -> list[tuple[str, Definition]]:
    """Return (term, Definition) for every definition in the speech, in text order."""
    spans = sentence_spans(doc.text)
    found = [f for s, e in spans for f in (*sentence_definitions(doc, s, e),
                                           *listed_definitions(doc, s, e),
                                           *counted_part_definitions(doc, s, e))]
    found = [(t, _with_all_items(doc, spans, t, d)) for t, d in found]
    found += spelled_out_definitions(doc, spans)
    found += headline_definitions(doc, spans)
    found += referring_definitions(doc, spans)
    unique = {(t, d.start, d.term_start): (t, d) for t, d in reversed(found)}  # first one wins
    found = list(unique.values())
    for (prev_start, _), (s, e) in zip(spans, spans[1:]):
        if _THAT_MEANING.search(doc.text[s:e]):
            for m in _QUOTED_TERM.finditer(doc.text, s, e):
                found.append((m.group(1), Definition(doc.doc_id, prev_start, e, m.start(1),
                                                     m.end(1), "就是")))
    return sorted(found, key=lambda item: item[1].term_start)


def build_term_index(documents: Sequence[SpeechDocument], generation: int = 0,
                     dictionary: Iterable[str] | None = None) -> TermIndex:
    """Return the glossary of the speeches: every term with its definitions (most explicit
    wording first, then corpus order), its mention count and the speeches mentioning it.

    `dictionary` is the policy-term list (extract_policy_terms of the texts when not given)."""
    texts = [d.text for d in documents]
    kinds: dict[str, set[str]] = {}
    quoted = {t for text in texts for t in quoted_terms(text)}
    for term in dictionary if dictionary is not None else extract_policy_terms(texts):
        kinds.setdefault(term, set()).add("quoted" if term in quoted else "formula")
    for text in texts:
        for term in digit_slogans(text):
            kinds.setdefault(term, set()).add("slogan")
    definitions: dict[str, list[Definition]] = {}
    for doc in documents:
        for term, definition in document_definitions(doc):
            kinds.setdefault(term, set()).add("defined")
            definitions.setdefault(term, []).append(definition)

    folded = [fold_width(t) for t in texts]
    # Which speeches hold each character: a term is counted only in the speeches that hold all
    # of its characters, so the glossary costs about the text that can contain each term, not
    # the whole corpus once per term (terms grow with the corpus too).
    holders: dict[str, set[int]] = {}
    for i, text in enumerate(folded):
        for ch in set(text):
            holders.setdefault(ch, set()).add(i)
    entries = []
    for term in sorted(kinds):
        key = fold_width(term)
        candidates = set.intersection(*(holders.get(ch, set()) for ch in set(key)))
        per_doc = {i: n for i in sorted(candidates) if (n := folded[i].count(key))}
        defs = sorted(definitions.get(term, ()), key=lambda d: _PATTERN_RANK.get(d.pattern, 9))
        entries.append(TermEntry(
            term=term, kinds=tuple(sorted(kinds[term])), definitions=tuple(defs),
            mentions=sum(per_doc.values()),
            speeches=tuple(documents[i].doc_id for i in per_doc),
        ))
    return TermIndex(generation=generation, terms=tuple(entries))


def write_term_index(folder: Path, documents: Sequence[SpeechDocument], generation: int,
                     dictionary: Iterable[str] | None = None) -> TermIndex:
    """Build the glossary of the speeches and save it in a generation's state folder (before
    that generation is committed, so readers never see an index without its glossary)."""
    index = build_term_index(documents, generation, dictionary)
    save_term_index(folder, index)
    return index

"""Which content units of a generated sentence its cited passage does not contain.

A content unit is something a reader would take as a fact of the source:
- a number, date, year, percentage or amount (qa.figures), compared by value and unit after
  folding full/half width, Chinese numerals (三, 十二, 两) and 万/千/亿 ("4.34万件" = "43400件",
  "百分之三十" = "30%", "三个工作日" = "3个工作日"); 第N条/款/章 must match as an ordinal,
  and the passage sentence stating it must also hold the nouns right before and after it
  ("十九届|五中全会" is not supported by "十八届五中全会……十九届中央政治局");
- a document number (〔2023〕5号, with the 发/函/字 prefix when there is one);
- a quoted term “…” (each listed part of it) and a title 《…》;
- a named entity: jieba.posseg places, organisations, persons and other proper names
  (ns/nt/nr/nz), and any given policy term (the corpus dictionary) found in the sentence;
- a list item: inside an enumeration (a clause with 、) the items split on 、和及与, without
  the lead-in ("…指的是") and the tail ("等", "四个方面");
- a content phrase: a run of adjacent jieba content words (nouns, verbs, adjectives, idioms;
  each of two or more characters) of four or more characters in all.

Matching is done on folded text (qa.figures.fold): NFKC, lower case, Chinese numerals as
digits, punctuation as a space, and the slack characters 的 了 地 得 是 为 dropped, so
"压缩至1个工作日" matches "压缩至一个工作日" and "办理的" matches "办理". A unit is supported when
its folded form occurs in the folded passage; a content phrase also when each of its words
occurs in the passage and every two neighbouring words share a passage sentence (a reordered or
lightly reworded phrase passes, a word the passage never uses does not), and a list item holding
a figure when one passage clause holds its figure and its words ("企业开办3个工作日" for
"3个工作日完成企业开办"). Boilerplate ("讲话提到", "根据资料") and the question's words are not units
(repeating the question claims nothing); its numbers are, except a count ("四个") it asks about.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from qa.figures import COUNT_WORDS, SLACK, Figure, document_numbers, figures, fold
from vectorstore.text import TOPICLESS_WORDS

_QUOTED = re.compile(r"“([^“”]{2,60})”|\"([^\"]{2,60})\"|「([^「」]{2,60})」|『([^『』]{2,60})』")
_TITLE = re.compile(r"《([^《》]{2,80})》")
_LIST_SPLIT = re.compile(r"、|(?:以及|和|及|与)")
_QUOTE_PARTS = re.compile(r"[、，,；;：:·/\s]+")
_LEAD_IN = re.compile(r".*(?:指的是|是指|分别是|包括|包含|涵盖|即|为|是|有|指|：|:)")
_TAIL = re.compile(r"(?:等|这些|以上|在内|(?:这)?[几两二三四五六七八九十\d]+(?:个|项|大|类|种)"
                   r"(?=方面|内容|要求|措施|任务|部分|环节)).*$|的?(?:要求|工作|措施|任务|内容|方面)$")
_ITEM_MAX = 12
# How an answer refers to its source; the source's own words (申报材料, 《政府工作报告》) stay.
_BOILERPLATE = re.compile(
    r"(?:讲话|文中|原文|资料|材料|来源)(?:中|里)?(?:明确|也|还)?"
    r"(?:提到|指出|强调|表示|写道|显示|要求|提出)"
    r"|根据(?:资料|材料|讲话|原文|来源|上述|以上)(?:内容)?(?:显示|所述|介绍)?"
    r"|主要包括|具体包括|包括以下|以下几(?:个方面|点|项)|如下|具体(?:来说|而言)|总(?:的来说|之)"
    r"|综上所述|也就是说|简单来说|换句话说|其中"
)
_PHRASE_STOPWORDS = TOPICLESS_WORDS | frozenset(  # and the words an answer frames its claims with
    """提到 指出 强调 表示 提出 包括 包含 涵盖 涉及 分别 主要 具体 根据 资料 材料 讲话 原文 来源
    显示 文中 如下 以下 下列 需要 通过 相关 有关 问题 回答 答案 说明 介绍 目前 已经 能够 相应
    工作 要求 方面 内容 就是 也是 还是 成为 属于 作为 指的是 是指
    无法 无法回答 无法确定 未找到 找不到 未提及 没有提到 不清楚""".split()
)
_CONTENT_POS = ("n", "v", "a", "s", "i", "l", "j", "b", "eng")
_NOUN_POS = ("n", "vn", "s", "j", "l", "i", "eng", "b")  # what a figure counts or dates
_FRAME_POS = {"v", "d", "p", "c", "r", "ad", "vd", "uj", "ul"}  # a first word that leads in
_ENTITY_POS = {"nr", "ns", "nt", "nz", "nrt", "nrfg"}
_SHORT_ENTITY_POS = {"nr", "ns", "nt", "nrt", "nrfg"}  # jieba tags many ordinary 2-char words nz
_LIST_NUMBERING = re.compile(r"^\s*(?:\d+\s*[.、)）]|[（(]\s*\d+\s*[)）]|[一二三四五六七八九十]+、|[-*•·])\s*")


@dataclass(frozen=True)
class Unit:
    """One content unit of a sentence: its kind, its text as written, and its folded form."""

    kind: str  # figure | document | quote | title | entity | term | item | phrase
    text: str
    folded: str
    words: tuple[str, ...] = ()  # folded words: a phrase's; those a figure or an item is bound to
    figure: Figure | None = None


class Passage:
    """A cited passage prepared once for many unit look-ups."""

    def __init__(self, text: str):
        self.text = text
        self.folded = fold(text)
        raw_sentences = [s for s in re.split(r"[。！？；!?;\n]", text) if s.strip()]
        self.sentences = [fold(s) for s in raw_sentences]
        self.sentence_figures = [figures(s, strict=False) for s in raw_sentences]
        self.clauses = [fold(c) for c in re.split(r"[，,；;。！？!?、:：()（）\n]", text) if c.strip()]

    def supports(self, unit: Unit) -> bool:
        """Return whether the passage states the unit (see the module docstring)."""
        if unit.figure is not None:
            return any(any(unit.figure.matches(f) for f in found) and all(w in s for w in unit.words)
                       for s, found in zip(self.sentences, self.sentence_figures))
        if unit.folded in self.folded:
            return True
        if unit.kind == "item" and unit.words:
            return any(all(w in c for w in unit.words) for c in self.clauses)
        if unit.kind != "phrase" or not all(w in self.folded for w in unit.words):
            return False
        return all(any(a in s and b in s for s in self.sentences)
                   for a, b in zip(unit.words, unit.words[1:]))


def unsupported_units(sentence: str, passage: str, question: str = "",
                      terms: Iterable[str] = ()) -> list[str]:
    """Return the content units of sentence that passage does not contain, as written in the
    sentence (empty = supported). question: its words and counts are not units. terms: policy
    terms (the corpus dictionary); one found in the sentence must be in the passage."""
    cited = Passage(passage)
    return [u.text for u in content_units(sentence, question, terms) if not cited.supports(u)]


def content_units(sentence: str, question: str = "", terms: Iterable[str] = ()) -> list[Unit]:
    """Return the content units of a generated sentence (module docstring), without duplicates:
    a unit whose text lies inside an earlier unit of another kind is left out."""
    text = _BOILERPLATE.sub("，", _LIST_NUMBERING.sub("", sentence))
    asked = _Question(question)
    units: list[Unit] = []
    units += _figure_units(text, asked)
    units += [Unit("document", s, f) for s, f in document_numbers(text)]
    units += _quoted_units(text, asked)
    units += _item_units(text, asked)
    units += _term_units(text, asked, terms)
    units += _word_units(text, asked)
    out: list[Unit] = []
    for u in units:
        if not u.folded or any(u.folded == o.folded and u.kind == o.kind for o in out):
            continue
        if u.kind in ("entity", "phrase", "term") and any(
                u.folded in o.folded for o in out if o.kind != u.kind and o.kind != "figure"):
            continue
        out.append(u)
    return out


class _Question:
    """What the question itself says: its folded text, words and counts."""

    def __init__(self, question: str):
        self.folded = fold(question)
        self.words = {fold(w) for w, _ in _pos_words(question) if len(w) >= 2}
        self.counts = {f.value for f in figures(question) if f.unit in COUNT_WORDS}

    def says(self, folded: str) -> bool:
        return bool(folded) and folded in self.folded


def _figure_units(text: str, asked: _Question) -> list[Unit]:
    """Return the figures of text, each bound to the content words right before and after it
    in its clause ("十九届|五中全会", "兑现|4.34万件"), which must share a passage sentence with it."""
    words = _pos_words(text)
    starts = [sum(len(w) for w, _ in words[:i]) for i in range(len(words))]
    out = []
    for f in figures(text):
        if f.unit in COUNT_WORDS and not f.ordinal and f.value in asked.counts:
            continue
        end = f.start + len(f.text)
        before = [i for i, a in enumerate(starts) if a + len(words[i][0]) <= f.start]
        after = [i for i, a in enumerate(starts) if a >= end]
        bound = [w for w in (_neighbour(words, reversed(before), asked),
                             _neighbour(words, after, asked)) if w]
        out.append(Unit("figure", f.text, fold(f.text), words=tuple(bound), figure=f))
    return out


def _neighbour(words: tuple[tuple[str, str], ...], order, asked: _Question) -> str | None:
    """Return the first noun-like content word met in order (indices into words), folded,
    passing over at most three short or verb-like words ("上限不超过40周岁" → 上限); None at
    punctuation, a number or when none is near."""
    skipped = 0
    for i in order:
        word, flag = words[i]
        if flag in ("x", "m") or skipped >= 3:
            return None
        if _is_content(word, flag, asked) and flag.startswith(_NOUN_POS):
            return fold(word)
        skipped += 1
    return None


def _is_content(word: str, flag: str, asked: _Question) -> bool:
    return (len(word) >= 2 and flag.startswith(_CONTENT_POS) and word not in _PHRASE_STOPWORDS
            and fold(word) not in asked.words and not any(ch.isdigit() for ch in word))


def _quoted_units(text: str, asked: _Question) -> list[Unit]:
    out = []
    for m in _QUOTED.finditer(text):
        inner = next(g for g in m.groups() if g is not None)
        for part in _QUOTE_PARTS.split(inner):
            if len(part) >= 2 and not asked.says(fold(part)):
                out.append(Unit("quote", f"“{part}”" if part == inner else part, fold(part)))
    for m in _TITLE.finditer(text):
        if not asked.says(fold(m.group(1))):
            out.append(Unit("title", m.group(), fold(m.group(1))))
    return out


def _item_units(text: str, asked: _Question) -> list[Unit]:
    """Return the items of each enumeration: a clause holding 、, split on 、和及与."""
    out = []
    for clause in re.split(r"[，,；;。！？!?：:\n“”\"《》（）()]", text):
        if "、" not in clause:
            continue
        items = [i.strip() for i in _LIST_SPLIT.split(clause)]
        items[0] = _without_lead_in(items[0])
        items[-1] = _TAIL.sub("", items[-1])
        # A lead-in the patterns missed ("四强党支部要做到政治功能强、…"): cut the first item to
        # the length of the longest other item.
        if len(items) > 2:
            longest = max(len(i) for i in items[1:-1])
            if len(items[0]) > longest + 2:
                items[0] = items[0][-longest - 1:]
        for item in items:
            item = item.strip()
            folded = fold(item)
            if not 2 <= len(folded) <= _ITEM_MAX or asked.says(folded):
                continue
            # "企业开办3个工作日" for "3个工作日完成企业开办": an item with a figure may be
            # reworded as long as one passage clause binds that figure to the item's words.
            stated = figures(item)
            bound = tuple(fold(f.text) for f in stated) + _content_words(item) if stated else ()
            out.append(Unit("item", item, folded, words=bound))
    return out


def _without_lead_in(item: str) -> str:
    """Return the first item of a list without what leads into it: up to 指的是/包括/是/…, then
    up to two leading verbs or adverbs of the frame ("讲话要求优化审批流程" → "优化审批流程")."""
    item = _LEAD_IN.sub("", item)
    for _ in range(2):
        words = _pos_words(item)
        if len(words) < 2 or not (words[0][1] in _FRAME_POS or words[0][0] in _PHRASE_STOPWORDS):
            break
        item = item[len(words[0][0]):]
    return item


def _content_words(text: str) -> tuple[str, ...]:
    return tuple(fold(w) for w, flag in _pos_words(text)
                 if len(w) >= 2 and flag.startswith(_CONTENT_POS) and w not in _PHRASE_STOPWORDS
                 and not any(ch.isdigit() for ch in w))


def _term_units(text: str, asked: _Question, terms: Iterable[str]) -> list[Unit]:
    folded = fold(text)
    out = []
    for term in terms:
        t = fold(term)
        if len(t) >= 3 and t in folded and not asked.says(t):
            out.append(Unit("term", term, t))
    return out


def _word_units(text: str, asked: _Question) -> list[Unit]:
    """Return named entities and content phrases (runs of content words, 4+ characters)."""
    out: list[Unit] = []
    run: list[tuple[str, int]] = []  # (word, offset in text)

    def close_run():
        folded = [fold(w) for w, _ in run]
        if len("".join(folded)) >= 4:
            start, end = run[0][1], run[-1][1] + len(run[-1][0])
            out.append(Unit("phrase", text[start:end], "".join(folded), words=tuple(folded)))
        run.clear()

    offset = 0
    for word, flag in _pos_words(text):
        at, offset = offset, offset + len(word)
        folded = fold(word)
        if SLACK.fullmatch(word):
            continue
        if flag in _ENTITY_POS and len(word) >= (2 if flag in _SHORT_ENTITY_POS else 3) \
                and folded not in asked.words and not asked.says(folded):
            out.append(Unit("entity", word, folded))
        if _is_content(word, flag, asked):
            run.append((word, at))
        else:
            close_run()
    close_run()
    return out


@functools.lru_cache(maxsize=1)
def _pos_tagger():
    """Build jieba's part-of-speech tagger once, on first use (its dictionary takes a second)."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg.POSTokenizer(jieba.Tokenizer())


@functools.lru_cache(maxsize=512)
def _pos_words(text: str) -> tuple[tuple[str, str], ...]:
    """Return the (word, part of speech) pairs of text; a sentence is cut once for all units."""
    return tuple((p.word, p.flag) for p in _pos_tagger().cut(text))

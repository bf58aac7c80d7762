"""Checks a user's question before any search: the text to search, or a clear reason why not."""
from __future__ import annotations

import re
import unicodedata

from vectorstore.errors import InvalidQuestion
from vectorstore.text import has_word

MAX_QUESTION_CHARS = 500


def clean_question(text: str | None) -> str:
    """Return the question with control characters dropped and whitespace collapsed.

    Raises InvalidQuestion for an empty question, one over MAX_QUESTION_CHARS characters, or
    one without any letter, digit or Chinese character (only emoji or punctuation)."""
    if text is None:
        raise InvalidQuestion("请输入问题。")
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or not unicodedata.category(ch).startswith("C")
    )
    q = re.sub(r"\s+", " ", kept).strip()
    if not q:
        raise InvalidQuestion("请输入问题。")
    if len(q) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(
            f"问题太长（{len(q)} 字），请精简到 {MAX_QUESTION_CHARS} 字以内，只写想问的内容。"
        )
    if not has_word(q):
        raise InvalidQuestion("问题里没有可以检索的文字，请用中文描述想了解的内容。")
    return q


# How a question asks, as opposed to what it asks about: "哪篇讲话提到…？请给出原文",
# "…是什么？". Keyword search and the evidence checks look at what is left.
_ASKING = re.compile(
    r"哪一?篇讲话|哪一?篇|哪次讲话|哪个讲话|讲话中?|提到了?|讲到了?|谈到了?|讲了|说了|"
    r"请给出原文|给出原文|请给出出处|原文|出处|是什么意思|是什么|是指什么|指什么|是怎样的|"
    r"有哪些|有什么|包括哪些|包括什么|包含哪些|怎么样|怎么做|如何|为什么|为何|请问|有没有|是不是|能不能|会不会|要不要|吗|呢"
)


def topic_words(question: str) -> str:
    """Return the question without its asking phrases: the part a passage must contain."""
    return re.sub(r"\s+", " ", _ASKING.sub(" ", question)).strip() or question


# Questions asking for a figure: "多少", "几个", "多久", "比例"…
_ASKS_FIGURE = re.compile(
    r"多少|几[个项家条天年月次名人所类批件倍大]|几$|数量|数目|比例|百分之|比率|金额|哪一?年|多长|多久|时限是|数字|排名第几"
)


def asks_for_figure(question: str) -> bool:
    """Return True if the question asks for a number, an amount, a date or a duration."""
    return bool(_ASKS_FIGURE.search(question))


# "请给出原文" and the like ask for the source text itself: quote, do not paraphrase.
_WANTS_SOURCE = re.compile(r"原文|原话|出处|哪篇|哪一篇|哪个讲话|哪次讲话|摘录")


def wants_source(question: str) -> bool:
    """Return True if the question asks for the source text itself ("请给出原文", "出处")."""
    return bool(_WANTS_SOURCE.search(question))


_SEVERAL_SPEECHES = re.compile(r"哪些(?:讲话|篇)|哪几(?:篇|次讲话|个讲话)")
QUOTED_TERM = re.compile(r"[“\"「]([^“”\"「」]{2,40})[”\"」]")


def speeches_mentioning(question: str) -> list[str]:
    """Return the quoted terms of a question asking which speeches (more than one) mention
    them ("哪些讲话提到“三集中、三到位”？"), else []."""
    return QUOTED_TERM.findall(question) if _SEVERAL_SPEECHES.search(question) else []


# "“321608”是什么？", "青松办是什么意思": a question that is one term and a request to explain
# it (what 查政策's 问这个 asks).
_TERM_QUESTION = re.compile(
    r"^[“\"「]?(?P<term>[^“”\"「」？?，,。！!\s]{2,20}?)[”\"」]?"
    r"(?:是什么意思|是什么|是指什么|指什么|什么意思|的含义是什么|的意思是什么)[？?]?$"
)


def asked_term(question: str) -> str | None:
    """Return the term a question asks to explain ("“321608”是什么？" -> "321608"), or None
    when it asks anything else."""
    m = _TERM_QUESTION.match(question.strip())
    return m.group("term") if m else None

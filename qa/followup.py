"""Spotting follow-up questions that lean on the conversation, and making them standalone by rule.

The rules, in order (all deterministic, no model):

1. A question *needs rewriting* only when there is history and it leans on it:
   - it names an item of the previous answer by ordinal ("第二点", "第3条", "第二个");
   - it asks for detail without saying of what ("具体怎么做", "详细说说", "为什么") and has
     little content of its own;
   - it starts with a connective ("那", "那么", "还有", "另外", "此外", "然后") or contains a
     pronoun/demonstrative ("它", "这个", "该", "其", "上述", "前面" …) and has fewer than
     CONTENT_ENOUGH characters of content;
   - it has at most 2 characters of content at all ("为什么？", "然后呢？").
   "Content" is what is left after removing question words, particles, pronouns, connectives
   and ordinals. A question with enough content of its own ("那么营商环境方面有哪些举措？") is
   taken as standalone even though it starts with "那么", because gluing the old topic onto a
   new one hurts retrieval more than it helps.
2. The *topic* of the previous question is that question (itself first made standalone, so
   chains of follow-ups keep the original subject) with the asking stripped off: leading
   "请问/介绍一下/如何…", trailing "是什么/有哪些/怎么样…" and end punctuation.
3. The rewrite, from the follow-up's *body* (the question minus leading connective and
   pronoun, trailing particles and punctuation):
   - ordinal or detail questions: topic + " " + the question ("321608审批机制 第二点具体怎么做？");
   - an empty body after "还有/另外/此外" ("还有呢？"): the previous question + "还有哪些内容？";
   - an empty body otherwise ("那呢？"): the previous question;
   - a body with a question word: topic + body ("它有哪些作用" → "…有哪些作用？"),
     with "还有" kept after 还有/另外/此外 ("还有哪些措施？" → "…还有哪些措施？");
   - a bare noun phrase: topic + "的" + body + "是什么？" ("那它的时限呢？" →
     "321608审批机制的时限是什么？").
   A leading word of the body that repeats the topic ("这个机制的时限" after a question on
   "321608审批机制") is dropped so the topic is not said twice.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from vectorstore.text import has_word, word_chars

CONTENT_ENOUGH = 8  # characters of own content that make a question standalone

_CONNECTIVE = re.compile(r"^(?:那么|那(?![个些项种里样])|还有|另外|此外|然后|其次|再者|再|而且|并且|同时)[，,、\s]*")
_ADDITIVE = ("还有", "另外", "此外", "其次", "再者", "而且", "并且", "同时")
_PRONOUN_LEAD = re.compile(
    r"^(?:它们|它|这个|那个|这些|那些|这项|那项|这种|那种|这一|这类|上述|前面说的|前面提到的"
    r"|前面|刚才说的|刚才提到的|刚才|以上|该|其|这|此)[，,、\s]*"
)
# Pronouns anywhere in the question; 其/该/此/这/那 only when not part of common words.
_PRONOUN_ANY = re.compile(
    r"它|这|(?<!刹)那(?!么)|上述|前面|刚才|以上|前者|后者"
    r"|(?<![应])该|(?<![尤极与])其(?![他它实余])|(?<![因如彼由从据就])此(?!外)"
)
# An item of the previous answer named by its place ("第二点", "第3条").
_ORDINAL = re.compile(r"第[一二三四五六七八九十百\d]+(?:点|条|个|项|部分|方面|步|是|类|种)")
# Asking for more about what was said, without saying about what ("具体怎么做").
_DETAIL = re.compile(r"具体|详细|展开|举个?例|为什么|为何|怎么做|怎么办|怎么落实|如何落实|如何做")
# A body holding a question word is a question already ("有哪些作用"), else a noun phrase.
_QUESTION_WORD = re.compile(r"什么|哪|怎|如何|为何|为什么|多少|多久|几|谁|是否|吗|有没有|能否")
# The asking, pronouns, connectives and particles: what is not a question's own content.
_NOT_CONTENT = re.compile(
    r"是什么意思|是什么|是多少|有哪些|有什么|怎么样|怎么做|怎么办|怎样|怎么|如何|为什么|为何|多少|多久"
    r"|哪些|哪个|哪里|什么|是否|有没有|能否|请问|一下|说说|讲讲|谈谈|介绍|具体|详细|展开"
    r"|它们|它|这个|那个|这些|那些|这|那么|那|其|该|此|上述|前面|刚才|以上|还有|另外|此外|然后"
    r"|呢|吗|吧|啊|呀|的|了|是|有|要|都|也|还|又|再|就|请|问|谁|几|哪"
)
_TRAILING_PARTICLES = re.compile(r"[呢吗吧啊呀嘛]+$")
_END_PUNCT = "？?。.！!；;，,、 \t\n"

_TOPIC_LEAD = re.compile(
    r"^(?:请问|请你|请|能否|能不能|可以|麻烦)?(?:简要|简单|详细)?(?:介绍一下|介绍|说说|讲讲|谈谈|说一下|讲一下"
    r"|概括一下|概括|总结一下|总结|解释一下|解释)?(?:一下)?(?:关于)?(?:如何|怎样|怎么|为什么|为何)?"
)
_TOPIC_TAIL = re.compile(
    r"(?:的)?(?:是什么意思|是什么|是指什么|指什么|是怎样的|是怎么样的|是如何|有哪些|有什么|包括哪些|包括什么"
    r"|包含哪些|主要内容|具体内容|内容|怎么样|如何|怎么做|是多少|有多少|多少|是哪些|有哪几个方面"
    r"|哪些方面|呢|吗|吧)+$"
)


def _content(question: str) -> str:
    """Return the question's own content: letters, digits and ideographs left after the asking."""
    q = _ORDINAL.sub("", question)
    q = _NOT_CONTENT.sub("", q)
    return word_chars(q)


def needs_rewrite(question: str, history: Sequence[tuple[str, str]]) -> bool:
    """Return True if the question leans on the conversation and should be made standalone."""
    if not history:
        return False
    q = question.strip()
    if not q:
        return False
    content = _content(q)
    if _ORDINAL.search(q):
        return True
    if _DETAIL.search(q) and len(content) < 6:
        return True
    if len(content) <= 2:
        return True
    leans = bool(_CONNECTIVE.match(q) or _PRONOUN_ANY.search(q))
    return leans and len(content) < CONTENT_ENOUGH


def _strip_end(text: str) -> str:
    """Return text without trailing punctuation and particles."""
    text = text.strip().rstrip(_END_PUNCT)
    return _TRAILING_PARTICLES.sub("", text).rstrip(_END_PUNCT)


def topic_of(question: str) -> str:
    """Return the subject of a standalone question: the question minus the asking."""
    q = question.strip()
    # A rewritten question may hold two clauses ("X是什么？还有哪些内容？") or "topic 追问".
    q = re.split(r"[？?]", q)[0] if re.search(r"[？?].", q) else q
    q = q.split(" ")[0] if " " in q.strip() else q
    q = _strip_end(q)
    q = _TOPIC_LEAD.sub("", q, count=1)
    prev = None
    while prev != q:
        prev = q
        q = _TOPIC_TAIL.sub("", q).rstrip(_END_PUNCT)
    return q.strip() or _strip_end(question)


def _as_question(text: str) -> str:
    """Return text ending in exactly one full-width question mark."""
    return text.rstrip(_END_PUNCT) + "？"


def rewrite_rule_based(question: str, history: Sequence[tuple[str, str]]) -> str:
    """Return the question made standalone with the previous question's topic (see module doc).

    Returns the question unchanged when it needs no rewrite or there is no history.
    """
    if not history or not needs_rewrite(question, history):
        return question
    prev = rewrite_rule_based(history[-1][0], history[:-1])
    topic = topic_of(prev)
    if not topic:
        return question
    q = question.strip()

    if _ORDINAL.search(q) or (_DETAIL.search(q) and not _CONNECTIVE.match(q)):
        return f"{topic} {_as_question(q)}"

    body = _strip_end(q)
    additive = False
    m = _CONNECTIVE.match(body)
    while m and m.group():
        additive = additive or m.group().startswith(_ADDITIVE)
        body = body[m.end() :]
        m = _CONNECTIVE.match(body)
    after_pronoun = _PRONOUN_LEAD.sub("", body, count=1)
    if after_pronoun != body:
        body = _drop_topic_repeat(after_pronoun, topic)
    body = _strip_end(body)

    if not has_word(body):
        if additive:
            return _as_question(prev) + "还有哪些内容？"
        return _as_question(prev)
    if _DETAIL.search(body):
        return f"{topic} {_as_question(body)}"
    if _QUESTION_WORD.search(body):
        # "还有哪些措施" keeps its "还有"; "另外，它的时限是多久" needs none.
        if additive and body.startswith(("哪", "什么")):
            body = "还有" + body
        elif additive and body.startswith("有"):
            body = "还" + body
        return _as_question(topic + body)
    if additive:
        return _as_question(f"{topic}还有哪些{body}")
    joint = "" if body.startswith("的") else "的"
    return f"{topic}{joint}{body}是什么？"


def _drop_topic_repeat(body: str, topic: str) -> str:
    """Return body without a leading word that the topic already says ("机制的时限" → "的时限")."""
    for k in range(len(body), 1, -1):
        if body[:k] in topic:
            return body[k:]
    return body


class QuestionRewriter(Protocol):
    """Turns a follow-up into a standalone question, given (question, answer) history."""

    def rewrite(self, question: str, history: Sequence[tuple[str, str]]) -> str: ...


class RuleBasedRewriter:
    """The QuestionRewriter used without an LLM: the rules above."""

    def rewrite(self, question: str, history: Sequence[tuple[str, str]]) -> str:
        return rewrite_rule_based(question, history)

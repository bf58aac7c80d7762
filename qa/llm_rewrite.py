"""Making a follow-up question standalone with the chat model, the rules as the fallback.

    rewriter = LLMRewriter(chat)               # qa.followup.QuestionRewriter

The prompt is short on purpose: on two CPU cores the prompt is read at ~80 tokens/s, so every
token of instructions is first-token delay.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from qa.citation_check import MARKER
from qa.followup import needs_rewrite, rewrite_rule_based, topic_of
from qa.llm_model import endpoint_errors
from qa.slots import asked_slot
from vectorstore.text import char_pairs, word_chars

REWRITE_MAX_TOKENS = 48  # the rewrite is one short question (REWRITE_MAX_CHARS at most)

REWRITE_SYSTEM = (
    "你把对话中的追问改写成一个不看上文也能看懂的完整中文问题："
    "把“它”“这个”等指代换成所指的具体名称。只输出改写后的问题，不要回答。"
)
REWRITE_HUMAN = "{dialogue}\n追问：{question}\n改写后的问题："
# One worked example: without it the 1.5B model echoed the follow-up, pronoun and all.
REWRITE_EXAMPLE = (
    "问：“最多跑一次”改革是什么？\n答：群众和企业到政府办事，一次上门或零上门就能办成。\n"
    "追问：那它的成效呢？\n改写后的问题：",
    "“最多跑一次”改革的成效是什么？",
)
REWRITE_ANSWER_CHARS = 80  # the previous answer is cut to this many characters in the prompt
REWRITE_MAX_CHARS = 60  # a longer "question" is the model answering or rambling
REWRITE_TURNS = 2  # the turns of history the prompt shows and the rewrite must stay on topic with
_REWRITE_LEAD = re.compile(r"^(?:改写后的问题|改写后|改写|完整问题|问题|追问)\s*[:：]\s*")
_OPEN_QUOTES = "\"'“‘「『"
_CLOSE_QUOTES = "\"'”’」』"
_QUESTION_WORD = re.compile(r"什么|哪|怎|如何|为何|为什么|多少|多久|多长|几|谁|是否|吗|呢|有没有|能否")


def format_dialogue(history: Sequence[tuple[str, str]], turns: int = REWRITE_TURNS) -> str:
    """Return the last turns of history as "问：…\\n答：…" lines, answers cut short."""
    lines = []
    for q, a in list(history)[-turns:]:
        a = MARKER.sub("", a).strip().replace("\n", " ")
        if len(a) > REWRITE_ANSWER_CHARS:
            a = a[:REWRITE_ANSWER_CHARS] + "……"
        lines.append(f"问：{q.strip()}\n答：{a}")
    return "\n".join(lines)


def rewrite_prompt():
    """Return the ChatPromptTemplate of a rewrite (variables: dialogue, question)."""
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_messages([
        ("system", REWRITE_SYSTEM),
        ("human", REWRITE_EXAMPLE[0]),
        ("ai", REWRITE_EXAMPLE[1]),
        ("human", REWRITE_HUMAN),
    ])


def clean_rewrite(output: str, question: str, history: Sequence[tuple[str, str]] = ()) -> str | None:
    """Return the model's rewrite as one question ending in "？", or None when it is unusable:
    empty, too long, not a question, the follow-up unchanged, still leaning on the history
    (qa.followup.needs_rewrite, e.g. "那它的审批时限呢？"), about another subject than the
    conversation (sharing no two characters with its topics, e.g. the prompt's worked example),
    or asking for another kind of answer than the follow-up (_asks_the_same)."""
    lines = [s for s in (line.strip() for line in output.strip().splitlines()) if s]
    if not lines:
        return None
    text = _REWRITE_LEAD.sub("", lines[0]).strip()
    if len(text) > 1 and text[0] in _OPEN_QUOTES and text[-1] in _CLOSE_QUOTES:
        text = text[1:-1].strip()  # the whole question quoted; inner quotes ("“321608”机制") stay
    if not text or len(text) > REWRITE_MAX_CHARS:
        return None
    if not (text.endswith(("？", "?")) or _QUESTION_WORD.search(text)):
        return None
    text = text.rstrip("？?。.！!；;，, ") + "？"
    if word_chars(text) == word_chars(question) or needs_rewrite(text, history):
        return None
    if history and not _shares_topic(text, history):
        return None
    if not _asks_the_same(text, question):
        return None
    return text


def _asks_the_same(rewrite: str, question: str) -> bool:
    """Return True if the rewrite asks for the same kind of answer as the follow-up
    (qa.slots.asked_slot): a rewrite resolves what "它" refers to, it may not turn "那联办件呢？"
    into a question about a count, nor drop the "什么时候" of "它什么时候能上线？". Kinds without
    a value to look for (definition, measure, other…) may stand for one another."""
    asked, rewritten = asked_slot(question), asked_slot(rewrite)
    if asked.has_value or rewritten.has_value:
        return asked.kind == rewritten.kind
    return True


def _shares_topic(text: str, history: Sequence[tuple[str, str]]) -> bool:
    """Return True if text shares a pair of characters with the topic of a recent question."""
    pairs = set(char_pairs(word_chars(text)))
    return any(pairs & set(char_pairs(word_chars(topic_of(q))))
               for q, _ in list(history)[-REWRITE_TURNS:])


class LLMRewriter:
    """Makes a follow-up standalone with a chat model (a qa.followup.QuestionRewriter), falling
    back to the rule-based rewrite when the model's output is not a usable question."""

    def __init__(self, chat_model, max_tokens: int = REWRITE_MAX_TOKENS):
        from langchain_core.output_parsers import StrOutputParser

        model = chat_model.bind(max_tokens=max_tokens, stop=["\n"])
        self.chain = rewrite_prompt() | model | StrOutputParser()

    def rewrite(self, question: str, history: Sequence[tuple[str, str]]) -> str:
        """Return the follow-up as a standalone question (unchanged when there is no history)."""
        if not history:
            return question
        try:
            rewritten = self.model_rewrite(question, history)
        except endpoint_errors():  # no model to ask: the rules still resolve most follow-ups
            rewritten = None
        return rewritten or rewrite_rule_based(question, history)

    def model_rewrite(self, question: str, history: Sequence[tuple[str, str]]) -> str | None:
        """Return the model's standalone question, or None when its output is unusable."""
        inputs = {"dialogue": format_dialogue(history), "question": question.strip()}
        output = "".join(self.chain.stream(inputs))
        return clean_rewrite(output, question, history)

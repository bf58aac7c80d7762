"""Answers a question from the indexed speeches, with verified citations: the qa entry point.

    answerer = Answerer(retriever, tokenizer, weights_for, generator=None)
    answer = answerer.answer("321608审批机制是什么？", history=[], mode="extractive")
    for event in answerer.stream(question, history, mode="llm"): ...

Stages: check the question → rewrite a follow-up → retrieve (hybrid) → decide whether the
evidence suffices (else refuse) → quote (extractive) or generate (llm) → check citations.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from qa.citation_check import MARKER
from qa.evidence import TokenizerLike, _fold, pinpoint
from qa.extractive import select_quotes, shared_phrases
from qa.generated import check_generated
from qa.followup import needs_rewrite, rewrite_rule_based
from qa.question import asks_for_figure, clean_question, topic_words
from qa.redaction import is_year_placeholder, redacted_figures, stands_for_number
from vectorstore.sentences import sentence_spans
from qa.refusal import Assessment, Decision, RefusalPolicy, evidence_strength
from qa.slots import MISSING
from qa.rerank import TermWeights
from qa.structured import AnswerReader
from qa.retrieve import Filters, Retriever
from vectorstore.records import Answer, Citation, ScoredChunk

MODES = ("extractive", "llm")
NOT_FOUND = "资料中未找到"
REFUSAL_TEXT = f"{NOT_FOUND}：已收录的讲话中没有与这个问题直接相关的内容。下面列出最接近的段落，仅供参考。"
PARTIAL_TEXT = f"讲话提到{{topic}}，但没有{{missing}}，{NOT_FOUND}确切答案。相关原文："
REDACTED_TEXT = "讲话原文没有给出这个数字：公开文本中该处{mark}，无法确认具体数值。原文如下："
# "请给出原文" and the like ask for the source text itself: quote, do not paraphrase.
_WANTS_SOURCE = re.compile(r"原文|原话|出处|哪篇|哪一篇|哪个讲话|哪次讲话|摘录")
_STATED_FIGURE = re.compile(r"[0-9０-９]+\s*[%％个项件名家次条天年月日人户元倍万亿所批]|百分之")
_WORDS = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


class GenerationFailed(RuntimeError):
    """The generator could not answer (endpoint unreachable, server error); the message says
    why in Chinese. The answer then stays the extractive one."""


class GenerationBusy(GenerationFailed):
    """The model is answering someone else; rather than wait, the answer stays extractive."""


class AnswerGenerator(Protocol):
    """Writes an answer to the question from numbered passages, streamed as text pieces."""

    def stream(self, question: str, passages: Sequence[str]) -> Iterator[str]: ...


class QuestionRewriter(Protocol):
    """Turns a follow-up into a standalone question, given (question, answer) history."""

    def rewrite(self, question: str, history: Sequence[tuple[str, str]]) -> str: ...


class RuleBasedRewriter:
    """The rewriter used without an LLM (qa.followup)."""

    def rewrite(self, question: str, history: Sequence[tuple[str, str]]) -> str:
        return rewrite_rule_based(question, history)


_RULES = RuleBasedRewriter()


@dataclass
class AnswerEvent:
    """One step of a streamed answer: kind is "rewritten", "retrieved", "draft", "token",
    "progress" (the model wrote something not yet shown) or "done".

    In llm mode "draft" comes first with the extractive answer (quotes with [n], ready at
    once); the "token" events after it are the generated answer as its sentences are
    finished; "done" carries the final Answer: the generated one when it passed the checks,
    else the draft with a note saying why."""

    kind: str
    text: str = ""
    retrieved: list[ScoredChunk] = field(default_factory=list)
    answer: Answer | None = None


@dataclass(frozen=True)
class AnswerSettings:
    k: int = 5  # passages an answer may cite
    retrieve_k: int = 10  # passages returned in Answer.retrieved
    # Passages given to the LLM, each cut to a window around its best sentence. Prompt length is
    # first-token delay: on 20 tune questions, idle, one passage of 300 characters gave the first
    # token in 3.6-4.2 s median against 7.0 s for two (bench/results.md, "LLM answer latency"),
    # but with one passage the end-to-end answer to "“三集中、两到位”管理模式是什么意思？" falls
    # back to quotes (tests/qa/test_llm.py): the defining sentence is in the second passage.
    # Two stay until the passage window picks the defining sentence.
    llm_passages: int = 2
    llm_passage_chars: int = 300
    max_quotes: int = 3
    min_support: float = 0.35  # citation check: share of a claim found in its passage


class Answerer:
    """Answers questions over one index; safe to share between threads (no per-call state)."""

    def __init__(
        self,
        retriever: Retriever,
        tokenizer: TokenizerLike,
        weights_for: Callable[[str], TermWeights],
        generator: AnswerGenerator | None = None,
        rewriter: QuestionRewriter | None = None,
        refusal: RefusalPolicy | None = None,
        settings: AnswerSettings | None = None,
        speech_text: Callable[[str], str] | None = None,
        corpus_has: Callable[[str], bool] | None = None,
    ):
        self.retriever = retriever
        self.tokenizer = tokenizer
        self.weights_for = weights_for  # question -> IDF weights of its words (qa.rerank)
        self.generator = generator
        self.rewriter = rewriter or RuleBasedRewriter()
        self.refusal = refusal or RefusalPolicy()
        self.settings = settings or AnswerSettings()
        self.speech_text = speech_text  # doc_id -> the speech's full text
        self.corpus_has = corpus_has  # does any indexed speech contain this word?

    @property
    def default_mode(self) -> str:
        """Return "llm" when a generator is available, else "extractive"."""
        return "llm" if self.generator is not None else "extractive"

    def answer(
        self,
        question: str,
        history: Sequence[tuple[str, str]] = (),
        mode: str | None = None,
        filters: Filters | None = None,
        k: int | None = None,
    ) -> Answer:
        """Return the answer to question (raises qa.question.InvalidQuestion for bad input)."""
        final = None
        for event in self.stream(question, history, mode, filters, k):
            if event.kind == "done":
                final = event.answer
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        history: Sequence[tuple[str, str]] = (),
        mode: str | None = None,
        filters: Filters | None = None,
        k: int | None = None,
    ) -> Iterator[AnswerEvent]:
        """Yield the answer as it is made; the last event is "done" with the Answer."""
        t_start = time.perf_counter()
        timings: dict[str, float] = {}

        def lap(stage: str, since: float) -> float:
            now = time.perf_counter()
            timings[stage] = round((now - since) * 1000, 1)
            return now

        q = clean_question(question)
        mode = mode or self.default_mode
        if mode not in MODES:
            raise ValueError(f"未知的回答方式：{mode}（可选 {', '.join(MODES)}）")
        if mode == "llm" and self.generator is None:
            raise ValueError("没有可用的大模型：请安装本地模型或设置 ZWQA_LLM_BASE_URL，或改用原文摘录模式")
        k = max(1, k or self.settings.k)
        t = time.perf_counter()

        rewritten = None
        if history and needs_rewrite(q, history):
            # Only 生成回答 waits for the model; 原文摘录 stays fast with the rules.
            rewriter = self.rewriter if mode == "llm" else _RULES
            rewritten = rewriter.rewrite(q, history).strip() or None
            if rewritten == q:
                rewritten = None
            if rewritten:
                yield AnswerEvent("rewritten", text=rewritten)
        t = lap("rewrite", t)
        search_q = rewritten or q

        retrieved = self.retriever.retrieve(search_q, max(k, self.settings.retrieve_k), filters)
        t = lap("retrieve", t)
        yield AnswerEvent("retrieved", retrieved=list(retrieved))
        hits = retrieved[:k]

        answer = Answer(question=q, text="", rewritten=rewritten, retrieved=list(retrieved),
                        timings_ms=timings, mode=mode)
        weights = self.weights_for(search_q)
        strength = evidence_strength(weights, hits)
        decision = self.refusal.decide(search_q, hits, weights, self._speeches_of(hits[:3]),
                                       self.corpus_has)
        on_topic = not decision.refused or strength.coverage >= self.refusal.min_topic
        redacted = (self._redacted_quote(search_q, hits)
                    if hits and on_topic and not decision.assessment.hard_reason else None)
        if redacted is not None:
            yield from self._redacted(answer, hits, *redacted)
        elif decision.partial:
            self._partial(answer, search_q, hits, decision)
            yield AnswerEvent("token", text=answer.text)
        elif decision.refused:
            answer.refused = True
            answer.text = REFUSAL_TEXT
            answer.notes.append(decision.reason)
            yield AnswerEvent("token", text=answer.text)
        elif mode == "extractive" or _WANTS_SOURCE.search(q):
            answer.mode = "extractive"
            self._extractive(answer, search_q, hits, decision.assessment)
            yield AnswerEvent("token", text=answer.text)
        else:
            yield from self._generate(answer, search_q, hits, decision.assessment)
        lap("answer", t)
        timings["total"] = round((time.perf_counter() - t_start) * 1000, 1)
        yield AnswerEvent("done", answer=answer)

    def _speeches_of(self, hits: Sequence[ScoredChunk]) -> str | None:
        """Return the full text of every speech the hits belong to, or None if unknown."""
        if self.speech_text is None:
            return None
        doc_ids = dict.fromkeys(d for h in hits for d in (h.chunk.doc_id, *h.chunk.also_in_ids))
        return "\n".join(self.speech_text(d) for d in doc_ids)

    # -- answer kinds -------------------------------------------------------------------------

    def _extractive(self, answer: Answer, question: str, hits: Sequence[ScoredChunk],
                    assessment: Assessment | None = None) -> None:
        slot, match = (assessment.slot, assessment.match) if assessment else (None, None)
        quotes = select_quotes(question, hits, self.tokenizer, self.settings.max_quotes,
                               slot=slot, match=match)
        if not quotes:  # nothing pinpointed: quote the opening sentence of the best passage
            text = hits[0].chunk.text
            end = next((i + 1 for i, ch in enumerate(text) if ch in "。！？；"), len(text))
            quotes_by_hit = {0: [(0, end)]}
        else:
            quotes_by_hit: dict[int, list[tuple[int, int]]] = {}
            for qt in quotes:
                quotes_by_hit.setdefault(qt.hit, []).append((qt.start, qt.end))
        lines = []
        for n, (hit_i, spans) in enumerate(quotes_by_hit.items(), start=1):
            chunk = hits[hit_i].chunk
            answer.citations.append(Citation(n=n, chunk=chunk, highlights=tuple(spans)))
            quoted = "……".join(chunk.text[a:b].strip() for a, b in spans)
            lines.append(f"“{quoted}”[{n}]")
        answer.text = "讲话原文中的相关表述：\n" + "\n".join(lines)

    def _partial(self, answer: Answer, question: str, hits: Sequence[ScoredChunk],
                 decision: Decision) -> None:
        """A near miss: quote what the speeches say about the topic, say what they lack."""
        self._extractive(answer, question, hits)
        answer.refused = True
        quoted = answer.text.split("\n", 1)[1] if "\n" in answer.text else answer.text
        cited = "".join(c.chunk.text[a:b] for c in answer.citations for a, b in c.highlights)
        topic = "".join(f"“{p}”" for p in shared_phrases(topic_words(question), cited)) or "了相关内容"
        missing = MISSING[decision.assessment.slot.kind]
        answer.text = PARTIAL_TEXT.format(topic=topic, missing=missing) + "\n" + quoted
        answer.notes.append(decision.reason)

    def _redacted_quote(self, question: str, hits: Sequence[ScoredChunk]):
        """Return (hit index, sentence span, placeholder) when the question asks for a figure
        and the sentence that answers it blanks that figure out ("X个", "**项", "党支部个，";
        "20xx年" only for a question about a year), else None.

        The answering sentence is the one of the top passages covering most of the question
        (IDF-weighted, qa.rerank), ties going to the better-ranked passage."""
        if not asks_for_figure(question):
            return None
        asks_year = bool(re.search(r"哪一?年|年份|什么时候", question))
        weights = self.weights_for(question)
        best = None
        for i, hit in enumerate(hits[:3]):
            text = hit.chunk.text
            for a, b in sentence_spans(text):
                score = weights.coverage(_fold(text[a:b])) - 0.02 * i
                if best is None or score > best[0]:
                    best = (score, i, a, b)
        if best is None:
            return None
        _, i, start, end = best
        sentence = hits[i].chunk.text[start:end]
        for a, b in redacted_figures(sentence):
            if not stands_for_number(sentence, a, b):
                continue
            if is_year_placeholder(sentence[a:b]) and not asks_year:
                continue
            return i, (start, end), _shown_mark(sentence[a:b])
        return None

    def _redacted(self, answer: Answer, hits, hit_i: int, span: tuple[int, int], mark: str):
        chunk = hits[hit_i].chunk
        answer.refused = True
        answer.mode = "extractive"
        answer.citations.append(Citation(n=1, chunk=chunk, highlights=(span,)))
        how = f"以“{mark}”代替" if mark else "留空"
        answer.text = REDACTED_TEXT.format(mark=how) + f"\n“{chunk.text[span[0]:span[1]].strip()}”[1]"
        answer.notes.append("原文隐去了所问的数字")
        yield AnswerEvent("token", text=answer.text)

    def _generate(self, answer: Answer, question: str, hits: Sequence[ScoredChunk],
                  assessment: Assessment | None = None):
        """Yield the quotes as a "draft", then the generated answer's finished sentences as
        "token"s; leave in answer the generated text if it passes the checks, else the draft."""
        t = time.perf_counter()
        draft = replace(answer, text="", citations=[], notes=[], mode="extractive",
                        timings_ms={})
        self._extractive(draft, question, hits, assessment)
        answer.timings_ms["draft"] = round((time.perf_counter() - t) * 1000, 1)
        yield AnswerEvent("draft", answer=draft)

        chunks = [h.chunk for h in hits[: self.settings.llm_passages]]
        passages = [self._passage_window(question, c.text) for c in chunks]
        reader = AnswerReader()
        t = time.perf_counter()
        try:
            for piece in self.generator.stream(question, passages):
                if "first_token" not in answer.timings_ms and piece.strip():
                    answer.timings_ms["first_token"] = round((time.perf_counter() - t) * 1000, 1)
                if shown := reader.feed(piece):
                    answer.timings_ms.setdefault(
                        "first_sentence", round((time.perf_counter() - t) * 1000, 1))
                    yield AnswerEvent("token", text=shown)
                else:  # a sentence still being written: lets a reader show progress or stop
                    yield AnswerEvent("progress")
        except GenerationBusy as e:
            _keep_draft(answer, draft, str(e))
            return
        except GenerationFailed as e:
            _keep_draft(answer, draft, f"{e}，已改为给出原文摘录")
            return
        finally:
            answer.timings_ms["generate"] = round((time.perf_counter() - t) * 1000, 1)
        raw = reader.text()
        if not _WORDS.search(raw) or (NOT_FOUND in raw and not MARKER.search(raw)):
            # The evidence gate found the passages sufficient; the small model often misses
            # answers worded unlike the question. Quote the source rather than refuse.
            _keep_draft(answer, draft, "模型未能从资料中组织回答，已改为给出原文摘录")
            return
        checked = check_generated(reader, passages, self.tokenizer, self.settings.min_support,
                                  question)
        if not checked.used:
            # Nothing the model wrote could be traced to a passage: quote the source instead.
            _keep_draft(answer, draft, "模型的回答无法在来源中核实，已改为给出原文摘录")
            return
        answer.notes.extend(checked.notes)
        text = checked.text
        for n in checked.used:
            chunk = chunks[n - 1]
            claims = _claims_citing(text, n)
            highlights = pinpoint(claims or question, chunk.text, self.tokenizer) or pinpoint(
                question, chunk.text, self.tokenizer)
            answer.citations.append(Citation(n=n, chunk=chunk, highlights=highlights))
        answer.citations.sort(key=lambda c: c.n)
        if checked.dropped:
            text += f"\n（已删除 {checked.dropped} 句无法在来源中核实的话）"
        elif checked.removed:
            text += f"\n（已删除 {checked.removed} 处无法在来源中核实的引用）"
        answer.text = text

    def _passage_window(self, question: str, text: str) -> str:
        """Return the passage cut to a window around its best-matching sentence."""
        limit = self.settings.llm_passage_chars
        if len(text) <= limit:
            return text
        spans = pinpoint(question, text, self.tokenizer, max_sentences=1)
        centre = (spans[0][0] + spans[0][1]) // 2 if spans else 0
        start = max(0, min(centre - limit // 2, len(text) - limit))
        # Start and end on sentence boundaries when one is near, so no clause is cut in half.
        for i in range(start, max(0, start - 60), -1):
            if i == 0 or text[i - 1] in "。！？；\n":
                start = i
                break
        end = min(len(text), start + limit)
        for j in range(end, max(start, end - 60), -1):
            if text[j - 1] in "。！？；\n":
                end = j
                break
        return text[start:end]


def _keep_draft(answer: Answer, draft: Answer, note: str) -> None:
    """Make answer the draft's quotes (still in llm mode), with a note saying why."""
    answer.text = draft.text
    answer.citations = list(draft.citations)
    answer.notes.append(note)


def _shown_mark(mark: str) -> str:
    """Return the placeholder as the answer names it; "" for a figure simply left out."""
    return mark if any(ch in mark for ch in "xXｘＸ×╳✕*＊_＿") else ""


def _claims_citing(text: str, n: int) -> str:
    """Return the sentences of text that end with a marker naming passage n, joined."""
    out = []
    for m in MARKER.finditer(text):
        if n in (int(x) for x in re.findall(r"\d+", m.group(2))):
            sentence_start = max(text.rfind(c, 0, m.start()) for c in "。！？；\n") + 1
            out.append(MARKER.sub("", text[sentence_start:m.start()]))
    return "".join(s for s in out if _WORDS.search(s))

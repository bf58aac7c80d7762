"""Answers a question from the indexed speeches, with verified citations: the qa entry point.

    answerer = Answerer(retriever, tokenizer, weights_for, generator=None)
    answer = answerer.answer("321608审批机制是什么？", history=[], mode="extractive")
    for event in answerer.stream(question, history, mode="llm"): ...

Stages: check the question → rewrite a follow-up → retrieve (hybrid) → decide whether the
evidence suffices (else refuse) → quote (extractive) or generate (llm) → check citations.
Each stage's work is done by its own module; this one runs them in order.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

from qa.citation_check import MARKER
from qa.evidence import TOP_PASSAGES, TokenizerLike, model_passages
from qa.extractive import quote_answer, shared_phrases
from qa.followup import QuestionRewriter, RuleBasedRewriter, needs_rewrite
from qa.fusion import rrf_fuse
from qa.generated import AnswerGenerator, check_generated, read_generation
from qa.question import clean_question, topic_words, wants_source
from qa.redaction import RedactedAnswer, redacted_answer
from qa.refusal import Assessment, Decision, RefusalPolicy, evidence_strength
from qa.rerank import TermWeights
from qa.retrieve import Filters, Retriever
from qa.structured import AnswerReader
from vectorstore.errors import GenerationBusy, GenerationFailed
from vectorstore.records import Answer, Citation, ScoredChunk
from vectorstore.text import has_word

AnswerMode = Literal["extractive", "llm"]
MODES: tuple[AnswerMode, ...] = get_args(AnswerMode)
EventKind = Literal["rewritten", "retrieved", "draft", "token", "progress", "done"]

NOT_FOUND = "资料中未找到"
REFUSAL_TEXT = f"{NOT_FOUND}：已收录的讲话中没有与这个问题直接相关的内容。下面列出最接近的段落，仅供参考。"
PARTIAL_TEXT = f"讲话提到{{topic}}，但没有{{missing}}，{NOT_FOUND}确切答案。相关原文："
# Passages listed as "可能相关" under a refusal (the chat and its export).
NEARBY = 3


@dataclass
class AnswerEvent:
    """One step of a streamed answer: kind is "rewritten", "retrieved", "draft", "token",
    "progress" (the model wrote something not yet shown) or "done".

    In llm mode "draft" comes first with the extractive answer (quotes with [n], ready at
    once); the "token" events after it are the generated answer as its sentences are
    finished; "done" carries the final Answer: the generated one when it passed the checks,
    else the draft with a note saying why."""

    kind: EventKind
    text: str = ""
    retrieved: list[ScoredChunk] = field(default_factory=list)
    answer: Answer | None = None


@dataclass(frozen=True)
class AnswerSettings:
    k: int = 5  # passages an answer may cite
    retrieve_k: int = 10  # passages returned in Answer.retrieved
    # Passages given to the LLM (qa.evidence.model_passages): the quoted ones first, each cut to
    # a window around its quoted sentence. Prompt length is first-token delay: on 20 tune
    # questions, idle, one passage of 300 characters gave the first token in 3.5 s median and
    # the full answer in 5.0 s against 6.9 s and 8.4 s for two, with as many generated answers
    # kept (13/20) and more citing the evidence (12 vs 11) (bench/results.md, 19:06 run).
    llm_passages: int = 1
    llm_passage_chars: int = 300
    max_quotes: int = 3
    min_support: float = 0.35  # citation check: share of a claim found in its passage


class _Stopwatch:
    """Milliseconds per stage, into the dict an Answer carries as timings_ms."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.timings: dict[str, float] = {}

    def lap(self, stage: str | None = None) -> None:
        """Record the time since the last lap as stage's (None: the next stage starts now)."""
        now = time.perf_counter()
        if stage:
            self.timings[stage] = _ms(now - self.last)
        self.last = now


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def in_context(hits: Sequence[ScoredChunk], context_hits: Sequence[ScoredChunk]) -> list[ScoredChunk]:
    """Return the follow-up's hits reordered by reciprocal rank fusion (qa.fusion) with the hits
    of the follow-up asked together with the previous question (its answer is usually next to
    the previous one); each hit keeps the follow-up's own retrieval signals when it has them."""
    found = {h.chunk.id: h for h in context_hits} | {h.chunk.id: h for h in hits}
    fused = rrf_fuse({"conversation": context_hits, "question": hits})  # ties: the conversation
    return [found[h.chunk.id] for h in fused[:len(hits)]]


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
    def default_mode(self) -> AnswerMode:
        """Return "llm" when a generator is available, else "extractive"."""
        return "llm" if self.generator is not None else "extractive"

    def answer(self, question: str, history: Sequence[tuple[str, str]] = (),
               mode: AnswerMode | None = None, filters: Filters | None = None,
               k: int | None = None) -> Answer:
        """Return the answer to question (raises qa.question.InvalidQuestion for bad input)."""
        final = None
        for event in self.stream(question, history, mode, filters, k):
            if event.kind == "done":
                final = event.answer
        assert final is not None
        return final

    def stream(self, question: str, history: Sequence[tuple[str, str]] = (),
               mode: AnswerMode | None = None, filters: Filters | None = None,
               k: int | None = None) -> Iterator[AnswerEvent]:
        """Yield the answer as it is made; the last event is "done" with the Answer."""
        watch = _Stopwatch()
        q = clean_question(question)
        mode = self._checked_mode(mode)
        k = max(1, k or self.settings.k)
        watch.lap()

        rewritten = self._rewrite(q, history, mode) if history else None
        watch.lap("rewrite")
        search_q = rewritten or q
        retrieved = self.search(search_q, history, k, filters)
        decision = self._decide(search_q, retrieved[:k])
        if decision.refused and history and mode == "llm":
            # The model's rewrite may drop what the follow-up refers to ("那现场勘验做了多少次？"
            # -> "现场勘验做了多少次？"); what 原文摘录 would answer, 生成回答 answers too.
            ruled = self._rewrite(q, history, "extractive")
            if ruled and ruled != search_q:
                hits = self.search(ruled, history, k, filters)
                ruled_decision = self._decide(ruled, hits[:k])
                if not ruled_decision.refused:
                    rewritten, search_q, retrieved, decision = ruled, ruled, hits, ruled_decision
        watch.lap("retrieve")
        if rewritten:
            yield AnswerEvent("rewritten", text=rewritten)
        yield AnswerEvent("retrieved", retrieved=list(retrieved))

        answer = Answer(question=q, text="", rewritten=rewritten, retrieved=list(retrieved),
                        timings_ms=watch.timings, mode=mode)
        yield from self._respond(answer, q, search_q, retrieved[:k], decision)
        watch.lap("answer")
        watch.timings["total"] = _ms(watch.last - watch.started)
        yield AnswerEvent("done", answer=answer)

    def search(self, question: str, history: Sequence[tuple[str, str]] = (), k: int | None = None,
               filters: Filters | None = None) -> list[ScoredChunk]:
        """Return the passages retrieved for a (standalone or rewritten) question, best first;
        in a conversation fused with those found for it asked after the previous question."""
        n = max(k or self.settings.k, self.settings.retrieve_k)
        hits = self.retriever.retrieve(question, n, filters)
        if history:
            hits = in_context(hits, self.retriever.retrieve(f"{history[-1][0]} {question}", n, filters))
        return hits

    def _checked_mode(self, mode: AnswerMode | None) -> AnswerMode:
        """Return the mode to answer in (the default when None); ValueError when unusable."""
        mode = mode or self.default_mode
        if mode not in MODES:
            raise ValueError(f"未知的回答方式：{mode}（可选 {', '.join(MODES)}）")
        if mode == "llm" and self.generator is None:
            raise ValueError("没有可用的大模型：请安装本地模型或设置 ZWQA_LLM_BASE_URL，或改用原文摘录模式")
        return mode

    def _rewrite(self, question: str, history: Sequence[tuple[str, str]],
                 mode: AnswerMode) -> str | None:
        """Return the follow-up made standalone, or None when it needs no rewrite."""
        if not needs_rewrite(question, history):
            return None
        # Only 生成回答 waits for the model; 原文摘录 stays fast with the rules.
        rewriter = self.rewriter if mode == "llm" else RuleBasedRewriter()
        rewritten = rewriter.rewrite(question, history).strip() or None
        return None if rewritten == question else rewritten

    def _decide(self, search_q: str, hits: Sequence[ScoredChunk]) -> Decision:
        """Return whether the hits answer the (standalone) question (qa.refusal)."""
        return self.refusal.decide(search_q, hits, self.weights_for(search_q),
                                   self._speeches_of(hits[:TOP_PASSAGES]), self.corpus_has)

    def _respond(self, answer: Answer, question: str, search_q: str,
                 hits: Sequence[ScoredChunk], decision: Decision) -> Iterator[AnswerEvent]:
        """Answer from the evidence as decided, fill in answer and yield its events."""
        weights = self.weights_for(search_q)
        strength = evidence_strength(weights, hits)
        on_topic = not decision.refused or strength.coverage >= self.refusal.min_topic
        redacted = None
        if hits and on_topic and not decision.assessment.hard_reason:
            texts = [h.chunk.text for h in hits[:TOP_PASSAGES]]
            redacted = redacted_answer(search_q, texts, weights.coverage)
        if redacted is not None:
            _redacted(answer, hits, redacted)
        elif decision.partial:
            self._partial(answer, search_q, hits, decision)
        elif decision.refused:
            answer.refused = True
            answer.text = REFUSAL_TEXT
            answer.notes.append(decision.reason)
        elif answer.mode == "extractive" or wants_source(question):
            answer.mode = "extractive"
            self._extractive(answer, search_q, hits, decision.assessment)
        else:
            yield from self._generate(answer, search_q, hits, decision.assessment)
            return
        yield AnswerEvent("token", text=answer.text)

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
        quoted = quote_answer(question, hits, self.tokenizer, self.settings.max_quotes,
                              slot=slot, match=match)
        answer.citations.extend(quoted.citations)
        answer.text = quoted.text

    def _partial(self, answer: Answer, question: str, hits: Sequence[ScoredChunk],
                 decision: Decision) -> None:
        """A near miss: quote what the speeches say about the topic, say what they lack."""
        quoted = quote_answer(question, hits, self.tokenizer, self.settings.max_quotes)
        answer.citations.extend(quoted.citations)
        answer.refused = True
        phrases = shared_phrases(topic_words(question), quoted.cited_text())
        topic = "".join(f"“{p}”" for p in phrases) or "了相关内容"
        missing = decision.assessment.slot.missing
        answer.text = PARTIAL_TEXT.format(topic=topic, missing=missing) + "\n" + "\n".join(quoted.lines)
        answer.notes.append(decision.reason)

    def _generate(self, answer: Answer, question: str, hits: Sequence[ScoredChunk],
                  assessment: Assessment | None = None) -> Iterator[AnswerEvent]:
        """Yield the quotes as a "draft", then the generated answer's finished sentences as
        "token"s; leave in answer the generated text if it passes the checks, else the draft."""
        t = time.perf_counter()
        draft = replace(answer, text="", citations=[], notes=[], mode="extractive",
                        timings_ms={})
        self._extractive(draft, question, hits, assessment)
        answer.timings_ms["draft"] = _ms(time.perf_counter() - t)
        yield AnswerEvent("draft", answer=draft)

        chunks, passages = model_passages(question, draft, hits, self.tokenizer,
                                          self.settings.llm_passages,
                                          self.settings.llm_passage_chars)
        reader = AnswerReader()
        try:
            for shown in read_generation(self.generator.stream(question, passages), reader,
                                         answer.timings_ms):
                # "progress": a sentence still being written, lets a reader show it or stop
                yield AnswerEvent("token", text=shown) if shown else AnswerEvent("progress")
        except GenerationBusy as e:
            _keep_draft(answer, draft, str(e))
            return
        except GenerationFailed as e:
            _keep_draft(answer, draft, f"{e}，已改为给出原文摘录")
            return
        raw = reader.text()
        if not has_word(raw) or (NOT_FOUND in raw and not MARKER.search(raw)):
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
        answer.citations.extend(checked.citations(chunks, question, self.tokenizer))
        answer.text = checked.shown_text()


def _redacted(answer: Answer, hits: Sequence[ScoredChunk], found: RedactedAnswer) -> None:
    """Make answer the sentence whose figure is blanked out, saying so (refused, extractive)."""
    chunk = hits[found.text].chunk
    answer.refused = True
    answer.mode = "extractive"
    answer.citations.append(Citation(n=1, chunk=chunk, highlights=((found.start, found.end),)))
    answer.text = found.explanation(chunk.text[found.start:found.end])
    answer.notes.append("原文隐去了所问的数字")


def _keep_draft(answer: Answer, draft: Answer, note: str) -> None:
    """Make answer the draft's quotes (still in llm mode), with a note saying why."""
    answer.text = draft.text
    answer.citations = list(draft.citations)
    answer.notes.append(note)

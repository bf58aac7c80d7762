"""Runs one evaluation (`zwqa eval`): picks the questions, opens the index they are asked of,
answers each one, scores the baseline retrievers beside it when asked, and gives the report.

    result = evaluate(EvalRequest(questions="data/eval/questions.jsonl", split="tune"), settings)
    print(evaluation.report.format_report(result.report))

The index is the committed one, or, for an external contexts file, an index of its own kept in
the evaluation cache (never in ZWQA_INDEX_DIR).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evaluation.sources import EXTERNAL_DIR, EvalRefused, EvalSources, find_sources
from vectorstore.settings import Settings

Progress = Callable[[int, int], None]
# progress_bar(description, unit) -> (progress(done, total), close()): how the caller shows progress.
ProgressBar = Callable[[str, str], tuple[Progress, Callable[[], None]]]


def no_progress_bar(description: str, unit: str) -> tuple[Progress, Callable[[], None]]:
    """Return a progress callback and a close function that show nothing."""
    return (lambda done, total: None), (lambda: None)


@dataclass(frozen=True)
class EvalRequest:
    """What to evaluate and how: the options of `zwqa eval`."""

    questions: str | Path | None = None
    contexts: str | Path | None = None  # an external contexts file, indexed on its own
    dataset: str | None = None  # a name in evaluation.sources.DATASETS
    external_dir: str | Path = EXTERNAL_DIR
    split: str | None = None  # "tune", "test", or None / "all"
    limit: int | None = None  # questions drawn at random with seed (None: all)
    seed: int = 0
    mode: str = "extractive"
    k: int | None = None  # passages an answer may cite (None: the settings' top_k)
    baseline: bool = False  # also score the three baseline retrievers
    cache_dir: str | Path | None = None  # indexes of external data and baselines


@dataclass
class EvalResult:
    """An evaluation's report (evaluation.report.build_report) and zwqa's answer lines, one
    per question in order, each with its "score"."""

    report: dict
    answer_lines: list[dict]


def evaluate(request: EvalRequest, settings: Settings, progress_bar: ProgressBar = no_progress_bar,
             warn: Callable[[str], None] = lambda message: None) -> EvalResult:
    """Return the result of the evaluation the request describes; skipped question lines are
    reported through warn.

    Raises EvalRefused when it cannot start (the message says why), and the index errors of
    opening the index (vectorstore.index.IndexMissing, vectorstore.bm25.IndexCorrupt,
    vectorstore.chroma_store.ChromaUnavailable, vectorstore.embeddings.EmbeddingModelMissing)."""
    from evaluation.report import build_report
    from qa.system import build_answerer, build_embedder

    sources = find_sources(request.questions, request.contexts, request.dataset,
                           request.external_dir)
    questions, meta = _pick_questions(request, sources, warn)
    generator, rewriter = _open_llm(settings) if request.mode == "llm" else (None, None)
    cache_root = eval_cache_root(request.cache_dir)
    embedder = build_embedder(settings)
    stores, index, documents = _open_index(settings, embedder, sources, cache_root, progress_bar,
                                           meta)
    answerer = build_answerer(settings, embedder, stores, generator=generator, rewriter=rewriter,
                              index=index)
    meta["回答方式"] = request.mode
    runs = [_run_zwqa(answerer, embedder, questions, request, progress_bar)]
    if request.baseline:
        runs += _run_baselines(embedder, documents, questions, cache_root, progress_bar, meta)
    return EvalResult(build_report(runs, meta), runs[0].lines)


def write_answer_lines(path: str | Path, lines: list[dict]) -> None:
    """Write the answer lines to path as JSON Lines."""
    from qa.serialize import to_json_line

    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(to_json_line(line) + "\n")


def _pick_questions(request: EvalRequest, sources: EvalSources, warn: Callable[[str], None]):
    """Return (the questions to ask, the report's meta describing them)."""
    from evaluation.runs import load_eval_questions, sample_questions, select_split, splits_of

    path = sources.questions
    questions, bad = load_eval_questions(path, sources.default_type)
    for b in bad:
        warn(f"{path} 第 {b.line_no} 行：{b.reason}，已跳过")
    splits = splits_of(questions)
    if request.split not in (None, "all") and request.split not in splits:
        raise EvalRefused(f"{path} 没有 {request.split} 划分的题目（split 字段）")
    questions = select_split(questions, request.split)
    total = len(questions)
    questions = sample_questions(questions, request.limit, request.seed)
    if not questions:
        raise EvalRefused("没有可评测的问题")
    meta = {"问题": f"{path}（{len(questions)}/{total} 题"
                    + (f"，随机种子 {request.seed}）" if len(questions) < total else "）")}
    if splits:
        counts = "，".join(f"{name} {sum(q.split == name for q in questions)} 题"
                          for name in splits_of(questions))
        meta["划分"] = counts if request.split in (None, "all") else f"只评 {request.split}（{counts}）"
    return questions, meta


def _open_llm(settings: Settings):
    """Return (generator, rewriter) over the chat model; EvalRefused when there is none."""
    from qa.system import build_llm

    try:
        return build_llm(settings, strict=True)
    except ImportError as e:
        raise EvalRefused(f"没有可用的大模型（{e}），请改用 --mode extractive") from e
    except RuntimeError as e:  # qa.llm_model.LLMUnavailable: its message says what to do
        raise EvalRefused(str(e)) from e


def _open_index(settings: Settings, embedder, sources: EvalSources, cache_root: Path,
                progress_bar: ProgressBar, meta: dict):
    """Return (ChromaStores, CommittedIndex, its SpeechDocuments) the questions are asked of,
    described in meta."""
    from vectorstore.errors import ContextsUnreadable
    from qa.system import build_stores
    from vectorstore.index import open_committed_index

    if sources.contexts is None:
        stores = build_stores(settings, embedder)
        index = open_committed_index(settings.index_dir)
        documents = index.documents()
        meta["索引"] = f"{settings.index_dir}（{len(documents)} 篇，{len(index.chunks)} 块）"
        return stores, index, documents
    t0 = time.perf_counter()
    progress, close = progress_bar("嵌入段落和句子", "条")
    try:
        ctx, stores = build_context_index(settings, embedder, sources.contexts, cache_root, progress)
    except ContextsUnreadable as e:
        raise EvalRefused(str(e)) from e
    finally:
        close()
    meta["段落"] = (f"{sources.contexts}（{len(ctx.documents)} 篇，{len(ctx.index.chunks)} 块，"
                  f"本次嵌入 {ctx.embedded} 块、{ctx.sentences_embedded} 句，"
                  f"用时 {time.perf_counter() - t0:.0f} 秒）")
    return stores, ctx.index, ctx.documents


def _run_zwqa(answerer, embedder, questions, request: EvalRequest, progress_bar: ProgressBar):
    """Return the SystemRun of the answerer over the questions."""
    from evaluation.runs import run_answerer

    embedder.embed_documents(["政务服务"])  # load the model now: timings are per question
    progress, close = progress_bar("zwqa", "题")
    try:
        return run_answerer("zwqa", answerer, questions, mode=request.mode, k=request.k,
                            progress=progress)
    finally:
        close()


def _run_baselines(embedder, documents, questions, cache_root: Path, progress_bar: ProgressBar,
                   meta: dict) -> list:
    """Return the SystemRuns of the baseline retrievers over the documents, described in meta."""
    from evaluation.runs import run_retriever

    t0 = time.perf_counter()
    bars = {}

    def embed_progress(name: str, done: int, total: int) -> None:
        if name not in bars:
            bars[name] = progress_bar(f"嵌入段落（{name}）", "段")
        bars[name][0](done, total)

    try:
        baselines = build_baseline_retrievers(embedder, documents, cache_root, embed_progress)
    finally:
        for _, close in bars.values():
            close()
    meta["对照"] = (f"{'、'.join(f'{n} {c} 块' for n, c in baselines.chunks.items())}，"
                  f"本次嵌入 {baselines.embedded} 块，用时 {time.perf_counter() - t0:.0f} 秒")
    runs = []
    for name, retriever in baselines.retrievers.items():
        progress, close = progress_bar(name, "题")
        try:
            runs.append(run_retriever(name, retriever, questions, progress=progress))
        finally:
            close()
    return runs


def eval_cache_root(given: str | Path | None = None) -> Path:
    """Return the folder where evaluations keep the indexes of external data and baselines."""
    from vectorstore.settings import default_cache_dir

    return Path(given) if given else default_cache_dir() / "eval"


def build_context_index(settings: Settings, embedder, contexts_path: Path, cache_root: Path,
                        progress: Progress | None = None):
    """Return (evaluation.external.ContextIndex, its ChromaStores) for an external contexts
    file, indexed (or reused) in its own cache folder under cache_root, never in index_dir."""
    from evaluation.external import context_cache_dir, index_contexts, load_contexts
    from qa.system import build_stores

    docs = load_contexts(contexts_path)
    folder = context_cache_dir(cache_root, contexts_path, settings.chunk_size,
                               settings.chunk_overlap, embedder.model_name)
    stores = build_stores(settings.model_copy(update={"index_dir": folder}), embedder)
    index = index_contexts(docs, stores, folder, settings.chunk_size, settings.chunk_overlap,
                           progress)
    return index, stores


def build_baseline_retrievers(embedder, documents, cache_root: Path, progress=None):
    """Return evaluation.baselines.Baselines over the documents, their vectors cached under
    cache_root in a folder keyed by the documents' content and the embedding model."""
    from evaluation.baselines import build_baselines
    from evaluation.external import documents_digest
    from vectorstore.chroma_client import open_chroma_client
    from vectorstore.records import stable_id

    key = stable_id(documents_digest(documents), embedder.model_name, "baselines-1", length=12)
    client = open_chroma_client(path=cache_root / f"baselines-{key}" / "chroma")
    return build_baselines(documents, embedder, client, key=key, progress=progress)

"""`zwqa eval`: score the labelled questions (or an external dataset) against the index, with
the baseline retrievers beside it on request."""
from __future__ import annotations

import sys
from pathlib import Path

from ui.cli.openers import build_llm_or_fail, open_answerer
from ui.cli.output import print_json, progress_bar
from vectorstore.settings import PROJECT_ROOT, Settings

# The shared folder beside the repository (CI clones main with shared/ next to it).
_EXTERNAL_DIR = PROJECT_ROOT.parent / "shared" / "data" / "external"
DATASETS = {"cmrc2018": "cmrc2018", "ncp": "ncp_policy_qa"}


def add_command(sub) -> None:
    p = sub.add_parser("eval", help="评测检索与回答：hit@k、MRR、拒答、引用精度")
    p.add_argument("questions", nargs="?",
                   help="问题文件（JSON Lines，如 data/eval/questions.jsonl、data/eval/dev.jsonl）")
    p.add_argument("--mode", choices=["extractive", "llm"], default="extractive",
                   help="回答方式（默认 extractive）")
    p.add_argument("--k", type=int, default=None, help="最多引用的段落数（默认 ZWQA_TOP_K）")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出报告")
    p.add_argument("--baseline", action="store_true",
                   help="同时评测三个对照检索器：LangChain 教程、Chatchat 混合检索、BM25")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--contexts", metavar="CONTEXTS.jsonl",
                     help="外部段落文件（每行 context_id、text）：单独建索引，按 context_id 判定命中")
    src.add_argument("--dataset", choices=sorted(DATASETS), help="外部数据集（问题与段落都取自它）")
    p.add_argument("--external-dir", default=str(_EXTERNAL_DIR), help="外部数据目录")
    p.add_argument("--split", choices=["tune", "test", "all"], default=None,
                   help="只评标注集的一个划分（默认 all：有划分时 tune 与 test 并排显示）")
    p.add_argument("--limit", type=int, default=None, help="随机抽取的题数（默认全部）")
    p.add_argument("--seed", type=int, default=0, help="抽题的随机种子（默认 0）")
    p.add_argument("--cache-dir", default=None,
                   help="外部数据与对照检索器的索引缓存目录（默认 ~/.cache/zwqa/eval）")
    p.add_argument("--out", metavar="ANSWERS.jsonl", help="把每题的回答与得分写入此文件")
    p.set_defaults(func=cmd_eval)


def _eval_sources(args):
    """Return (questions path, contexts path or None, default type) for `zwqa eval`, or an
    error message."""
    if args.dataset:
        folder = Path(args.external_dir) / DATASETS[args.dataset]
        questions = Path(args.questions) if args.questions else folder / "questions.jsonl"
        contexts = folder / "contexts.jsonl"
        for p in (questions, contexts):
            if not p.is_file():
                return f"找不到数据文件：{p}（可用 --external-dir 指定外部数据目录）"
        return questions, contexts, args.dataset
    if not args.questions:
        return "请给出问题文件，或用 --dataset 选择外部数据集"
    questions = Path(args.questions)
    if not questions.is_file():
        return f"问题文件不存在：{questions}"
    contexts = Path(args.contexts) if args.contexts else None
    if contexts is not None and not contexts.is_file():
        return f"段落文件不存在：{contexts}"
    return questions, contexts, (questions.stem if contexts else "")


def cmd_eval(args, settings: Settings) -> int:
    import time

    from evaluation.report import build_report, format_report
    from ingest.external import ContextsUnreadable
    from qa.eval import (load_eval_questions, run_answerer, run_retriever, sample_questions,
                         select_split, splits_of)
    from qa.serialize import to_json_line
    from qa.system import build_embedder, build_stores
    from vectorstore.bm25 import IndexCorrupt
    from vectorstore.chroma_store import ChromaUnavailable
    from vectorstore.index import IndexMissing, open_committed_index

    sources = _eval_sources(args)
    if isinstance(sources, str):
        print(f"错误：{sources}", file=sys.stderr)
        return 2
    questions_path, contexts_path, default_type = sources
    questions, bad = load_eval_questions(questions_path, default_type)
    for b in bad:
        print(f"{questions_path} 第 {b.line_no} 行：{b.reason}，已跳过", file=sys.stderr)
    splits = splits_of(questions)
    if args.split not in (None, "all") and args.split not in splits:
        print(f"错误：{questions_path} 没有 {args.split} 划分的题目（split 字段）", file=sys.stderr)
        return 2
    questions = select_split(questions, args.split)
    total = len(questions)
    questions = sample_questions(questions, args.limit, args.seed)
    if not questions:
        print("错误：没有可评测的问题", file=sys.stderr)
        return 2
    llm = build_llm_or_fail(settings) if args.mode == "llm" else None
    if args.mode == "llm" and llm is None:
        return 2

    meta = {"问题": f"{questions_path}（{len(questions)}/{total} 题"
                    + (f"，随机种子 {args.seed}）" if len(questions) < total else "）")}
    if splits:
        counts = "，".join(f"{name} {sum(q.split == name for q in questions)} 题"
                          for name in splits_of(questions))
        meta["划分"] = counts if args.split in (None, "all") else f"只评 {args.split}（{counts}）"
    cache_root = eval_cache_root(args.cache_dir)
    embedder = build_embedder(settings)
    index = None
    try:
        if contexts_path is not None:
            t0 = time.perf_counter()
            progress, close = progress_bar("嵌入段落", "段")
            try:
                ctx, stores = build_context_index(settings, embedder, contexts_path, cache_root,
                                                  progress)
            finally:
                close()
            index, documents = ctx.index, ctx.documents
            meta["段落"] = (f"{contexts_path}（{len(documents)} 篇，{len(index.chunks)} 块，"
                          f"本次嵌入 {ctx.embedded} 块，用时 {time.perf_counter() - t0:.0f} 秒）")
        else:
            stores = build_stores(settings, embedder)
            index = open_committed_index(settings.index_dir)
            documents = index.documents()
            meta["索引"] = f"{settings.index_dir}（{len(documents)} 篇，{len(index.chunks)} 块）"
    except (IndexMissing, IndexCorrupt, ChromaUnavailable, ContextsUnreadable) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    answerer = open_answerer(settings, llm, embedder, stores, index)
    if answerer is None:
        return 2
    mode = args.mode
    meta["回答方式"] = mode

    embedder.embed_documents(["政务服务"])  # load the model now: timings are per question
    runs = []
    progress, close = progress_bar("zwqa", "题")
    try:
        runs.append(run_answerer("zwqa", answerer, questions, mode=mode, k=args.k,
                                 progress=progress))
    finally:
        close()
    if args.baseline:
        t0 = time.perf_counter()
        bar = {}

        def embed_progress(name, done, total):
            if name not in bar:
                bar[name] = progress_bar(f"嵌入段落（{name}）", "段")
            bar[name][0](done, total)

        try:
            baselines = build_baseline_retrievers(embedder, documents, cache_root, embed_progress)
        finally:
            for _, close in bar.values():
                close()
        meta["对照"] = (f"{'、'.join(f'{n} {c} 块' for n, c in baselines.chunks.items())}，"
                      f"本次嵌入 {baselines.embedded} 块，用时 {time.perf_counter() - t0:.0f} 秒")
        for name, retriever in baselines.retrievers.items():
            progress, close = progress_bar(name, "题")
            try:
                runs.append(run_retriever(name, retriever, questions, progress=progress))
            finally:
                close()
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            for line in runs[0].lines:
                f.write(to_json_line(line) + "\n")
    report = build_report(runs, meta)
    if args.json:
        print_json(report)
    else:
        print(format_report(report))
    return 0


def eval_cache_root(given=None):
    """Return the folder where `zwqa eval` keeps the indexes of external data and baselines."""
    from vectorstore.settings import default_cache_dir

    return Path(given) if given else default_cache_dir() / "eval"


def build_context_index(settings: Settings, embedder, contexts_path, cache_root, progress=None):
    """Return (ingest.external.ContextIndex, its ChromaStores) for an external contexts file,
    indexed (or reused) in its own cache folder under cache_root, never in index_dir."""
    from ingest.external import context_cache_dir, index_contexts, load_contexts
    from qa.system import build_stores

    docs = load_contexts(contexts_path)
    folder = context_cache_dir(cache_root, contexts_path, settings.chunk_size,
                               settings.chunk_overlap, embedder.model_name)
    stores = build_stores(settings.model_copy(update={"index_dir": folder}), embedder)
    index = index_contexts(docs, stores, folder, embedder, settings.chunk_size,
                           settings.chunk_overlap, progress)
    return index, stores


def build_baseline_retrievers(embedder, documents, cache_root, progress=None):
    """Return qa.baselines.Baselines over the documents, their vectors cached under cache_root
    in a folder keyed by the documents' content and the embedding model."""
    from ingest.external import documents_digest
    from qa.baselines import build_baselines
    from vectorstore.chroma_store import open_chroma_client
    from vectorstore.records import stable_id

    key = stable_id(documents_digest(documents), embedder.model_name, "baselines-1", length=12)
    client = open_chroma_client(path=cache_root / f"baselines-{key}" / "chroma")
    return build_baselines(documents, embedder, client, key=key, progress=progress)

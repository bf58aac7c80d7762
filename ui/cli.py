"""The `zwqa` command: ingest, list, ask, eval, ui."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ui.errors import positive_int
from vectorstore.settings import Settings


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_ingest(args, settings: Settings) -> int:
    from ingest.pipeline import run_ingest
    from vectorstore.errors import ChromaUnavailable, IndexCorrupt, IngestBusy
    from ui.resources import build_embedder, build_stores, ingest_options
    from ui.errors import set_aside_damaged_store

    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    embedder = build_embedder(settings)
    if args.rebuild and not settings.chroma_url:
        set_aside_damaged_store(settings.index_dir / "chroma")
    try:
        try:
            stores = build_stores(settings, embedder)
        except IndexCorrupt:
            if not args.rebuild or settings.chroma_url:
                raise
            # The embedded store is unreadable and is about to be rebuilt anyway.
            set_aside_damaged_store(settings.index_dir / "chroma", force=True)
            stores = build_stores(settings, embedder)
    except (IndexCorrupt, ChromaUnavailable) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if total == 0:
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, desc="嵌入段落", unit="段", file=sys.stderr)
        bar.update(done - bar.n)

    try:
        report = run_ingest(paths, ingest_options(settings, args.prune, args.rebuild), embedder, stores, progress)
    except (IngestBusy, IndexCorrupt) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        _print_json(report.as_dict())
    else:
        print(
            f"完成：{report.documents} 篇讲话，{report.chunks} 个段落块"
            f"（合并重复段落 {report.merged} 个，新嵌入 {report.embedded} 个，删除 {report.deleted} 个），"
            f"{report.files} 个文件（未变 {report.unchanged_files} 个），用时 {report.seconds} 秒"
        )
        for s in report.skipped:
            print(f"跳过 {s['file']}：{s['reason']}")
        for p in report.pruned:
            print(f"已移除（文件不存在）：{p}")
        if report.cleanup_deferred:
            print("（仍有提问进程在使用旧版本索引：旧的向量与文件在它们切换后清理）")
        for r in report.removed:
            print(f"注意 {r['file']}：清理时删去 {r['chars']} 字（{r['share']:.0%}），"
                  "如为正文请检查文件（如网页截断提示后的内容）")
    return 0


def cmd_list(args, settings: Settings) -> int:
    from ui.resources import build_stores
    from vectorstore.errors import ChromaUnavailable, IndexCorrupt, IndexMissing
    from vectorstore.index import (check_vectors, open_committed_index,
                                   open_committed_store, open_committed_summary)

    summary = None if args.chunks else open_committed_summary(settings.index_dir)
    if summary is not None:  # a huge catalog need not be read to list its speeches
        check_vectors(build_stores(settings, embedder=None), summary.collection, summary.chunks)
        for row in summary.documents:
            if args.json:
                _print_json(row)
            else:
                print(f"{row['title']}  [{row['date'] or '日期不详'}]  {row['source']}  {row['chunks']} 段")
        return 0
    try:
        index = open_committed_index(settings.index_dir)
        # Listing what cannot be searched would mislead: check the vectors are there too
        # (no embedder needed for that).
        open_committed_store(index, build_stores(settings, embedder=None))
    except (IndexMissing, IndexCorrupt, ChromaUnavailable) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.chunks:
        for c in index.chunks:
            if args.json:
                _print_json(c.to_dict())
            else:
                print(f"{c.id}  {c.title} | {c.section_path or '—'} | {c.start}-{c.end}\n    {c.text[:80]}")
        return 0
    counts = index.chunk_counts()
    for d in index.documents():
        row = {"doc_id": d.doc_id, "title": d.title, "date": d.date, "source": d.source,
               "chunks": counts.get(d.doc_id, 0), "truncated": bool(d.truncated_at)}
        if args.json:
            _print_json(row)
        else:
            print(f"{d.title}  [{d.date or '日期不详'}]  {d.source}  {row['chunks']} 段")
    return 0


def _progress_bar(desc: str, unit: str):
    """Return a progress(done, total) callback reporting on stderr, and a function closing it:
    a bar on a terminal, else a plain line at most every 30 seconds and at the end."""
    import time

    bar = None
    last = [0.0]

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if total == 0:
            return
        if not sys.stderr.isatty():
            now = time.monotonic()
            if done == total or now - last[0] >= 30:
                last[0] = now
                print(f"{desc}：{done}/{total} {unit}", file=sys.stderr, flush=True)
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr)
        bar.update(done - bar.n)

    def close() -> None:
        if bar is not None:
            bar.close()

    return progress, close


def _build_llm_or_fail(settings: Settings):
    """Return (generator, rewriter), or print why there is no model and return None."""
    from ui.resources import build_llm

    try:
        return build_llm(settings, strict=True)
    except ImportError as e:
        print(f"错误：没有可用的大模型（{e}），请改用 --mode extractive", file=sys.stderr)
    except RuntimeError as e:  # qa.llm_model.LLMUnavailable
        print(f"错误：{e}", file=sys.stderr)
    return None


def _print_answer(answer) -> None:
    """Print an answer for a person: the text, then numbered sources (title > section)."""
    print(answer.text)
    if answer.rewritten:
        print(f"\n（按完整问题检索：{answer.rewritten}）")
    if answer.citations:
        print("\n来源：")
        for c in answer.citations:
            where = " > ".join(p for p in (c.chunk.title, c.chunk.section_path) if p)
            print(f"[{c.n}] {where}")
            if answer.mode == "extractive":
                continue  # the answer already quotes the highlighted sentences
            for a, b in c.highlights:
                print(f"    “{c.chunk.text[a:b].strip()}”")
    elif answer.refused and answer.retrieved:
        print("\n最接近的段落：")
        for i, hit in enumerate(answer.retrieved[:3], start=1):
            where = " > ".join(p for p in (hit.chunk.title, hit.chunk.section_path) if p)
            snippet = hit.chunk.text.replace("\n", " ")
            print(f"{i}. {where}\n    {snippet[:80]}{'…' if len(snippet) > 80 else ''}")
    for note in answer.notes:
        print(f"（{note}）")


def cmd_ask(args, settings: Settings) -> int:
    from vectorstore.errors import InvalidQuestion, OutputUnusable
    from qa.serialize import answer_to_dict, to_json_line
    from ui.batch import PendingOutput, check_question_file

    if (args.question is None) == (args.batch is None):
        print("错误：请给出一个问题，或用 --batch 指定问题文件（二者选一）", file=sys.stderr)
        return 2
    pending = None
    if args.batch is not None:
        problem = check_question_file(args.batch)
        if problem is None and args.out:
            try:  # before any model loads: a bad --out must not cost a minute of loading
                pending = PendingOutput(args.out)
            except OutputUnusable as e:
                problem = str(e)
        if problem:
            print(f"错误：{problem}", file=sys.stderr)
            return 2
    try:
        answerer = _open_current_answerer(settings, args.mode)
        if answerer is None:
            return 2
        if args.question is None:
            from ui.batch import answer_batch

            code, pending = answer_batch(answerer, args.batch, pending, args.mode, args.k), None
            return code
    finally:
        if pending is not None:
            pending.discard()
    try:
        answer = answerer.answer(args.question, mode=args.mode, k=args.k)
    except InvalidQuestion as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        print(to_json_line(answer_to_dict(answer)))
    else:
        _print_answer(answer)
    return 0


def _open_current_answerer(settings: Settings, mode: str):
    """Return a ui.reader.CurrentAnswerer for `zwqa ask`, or None after printing why not."""
    from ui.reader import CurrentAnswerer
    from ui.resources import build_embedder, build_stores

    llm = _build_llm_or_fail(settings) if mode == "llm" else None
    if mode == "llm" and llm is None:
        return None
    embedder = build_embedder(settings)
    return CurrentAnswerer(settings, embedder, build_stores(settings, embedder), llm)


def cmd_eval(args, settings: Settings) -> int:
    from dataclasses import fields

    from evaluation.evaluate import EvalRequest, evaluate, write_answer_lines
    from evaluation.report import format_report
    from evaluation.sources import EvalRefused

    request = EvalRequest(**{f.name: getattr(args, f.name) for f in fields(EvalRequest)})
    try:
        result = evaluate(request, settings, _progress_bar, warn=lambda m: print(m, file=sys.stderr))
    except EvalRefused as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.out:
        write_answer_lines(args.out, result.answer_lines)
    if args.json:
        _print_json(result.report)
    else:
        print(format_report(result.report))
    return 0


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """Return the command line that serves the chat page: headless, telemetry off, no reloads."""
    app = Path(__file__).resolve().parent / "main_page.py"
    return [
        # ui.chat_server runs Streamlit with a Host header check (DNS rebinding).
        sys.executable, "-m", "ui.chat_server", "run", str(app),
        "--server.address", address,
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--client.toolbarMode", "minimal",
        "--browser.gatherUsageStats", "false",
    ]


def cmd_ui(args, settings: Settings) -> int:
    import os

    cmd = streamlit_command(args.port, args.address)
    print(f"聊天页面：http://{args.address}:{args.port}（Ctrl+C 退出）", file=sys.stderr, flush=True)
    # Become the Streamlit server (same pid), so signals sent to `zwqa ui` reach it.
    os.execv(cmd[0], cmd)
    return 0  # not reached


def build_parser() -> argparse.ArgumentParser:
    from evaluation.sources import DATASETS, EXTERNAL_DIR

    parser = argparse.ArgumentParser(prog="zwqa", description="政务服务讲话问答")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="导入讲话文件，建立或更新索引")
    p.add_argument("paths", nargs="*", help="文件或文件夹（默认：自带语料）")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出摘要")
    p.add_argument("--prune", action="store_true", help="移除文件已不存在的讲话")
    p.add_argument("--rebuild", action="store_true", help="从头重建索引")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("list", help="列出已索引的讲话或段落")
    p.add_argument("--chunks", action="store_true", help="列出每个段落块")
    p.add_argument("--json", action="store_true", help="每行一个 JSON 对象")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("ask", help="提问：给出带原文引用的回答")
    p.add_argument("question", nargs="?", help="问题（用 --batch 时不写）")
    p.add_argument("--mode", choices=["extractive", "llm"], default="extractive",
                   help="extractive：摘录原文（默认）；llm：大模型据原文作答")
    p.add_argument("--k", type=positive_int, default=None, help="最多引用的段落数（默认 ZWQA_TOP_K）")
    p.add_argument("--json", action="store_true", help="以一行 JSON 输出（格式同 --batch 的输出）")
    p.add_argument("--batch", metavar="QUESTIONS.jsonl",
                   help="逐行回答问题文件（每行需 id 和 question，可带 history：[[问题, 回答], …]；"
                        "- 表示标准输入）；有行被跳过时退出码为 1")
    p.add_argument("--out", metavar="ANSWERS.jsonl", help="--batch 的输出文件（默认标准输出）")
    p.set_defaults(func=cmd_ask)

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
    p.add_argument("--external-dir", default=str(EXTERNAL_DIR), help="外部数据目录")
    p.add_argument("--split", choices=["tune", "test", "all"], default=None,
                   help="只评标注集的一个划分（默认 all：有划分时 tune 与 test 并排显示）")
    p.add_argument("--limit", type=int, default=None, help="随机抽取的题数（默认全部）")
    p.add_argument("--seed", type=int, default=0, help="抽题的随机种子（默认 0）")
    p.add_argument("--cache-dir", default=None,
                   help="外部数据与对照检索器的索引缓存目录（默认 ~/.cache/zwqa/eval）")
    p.add_argument("--out", metavar="ANSWERS.jsonl", help="把每题的回答与得分写入此文件")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("ui", help="启动聊天页面（Streamlit，仅本机访问）")
    p.add_argument("--port", type=int, default=8501, help="端口（默认 8501）")
    p.add_argument("--address", default="127.0.0.1", help="监听地址（默认 127.0.0.1，仅本机）")
    p.set_defaults(func=cmd_ui)

    from ui import cli_lookup, cli_serve

    cli_lookup.add_commands(sub)
    cli_serve.add_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    import signal

    # `zwqa list | head` should end quietly, not with a BrokenPipeError.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    from ui.errors import expected_message

    settings = None
    try:
        settings = Settings()  # validated before any model loads
        return args.func(args, settings)
    except KeyboardInterrupt:
        print("\n已中断", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the one boundary; bugs are re-raised below
        message = expected_message(e, settings)
        if message is None:
            raise
        print(f"错误：{message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

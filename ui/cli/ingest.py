"""`zwqa ingest`: index files and folders (default: the bundled corpus) and say what was done."""
from __future__ import annotations

from pathlib import Path

from ui.cli.output import fail, print_json, progress_bar
from vectorstore.settings import Settings


def add_command(sub) -> None:
    p = sub.add_parser("ingest", help="导入讲话文件，建立或更新索引")
    p.add_argument("paths", nargs="*", help="文件或文件夹（默认：自带语料）")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出摘要")
    p.add_argument("--prune", action="store_true", help="移除文件已不存在的讲话")
    p.add_argument("--rebuild", action="store_true", help="从头重建索引")
    p.set_defaults(func=cmd_ingest)


def cmd_ingest(args, settings: Settings) -> int:
    from ingest.options import ingest_options
    from ingest.pipeline import run_ingest
    from vectorstore.errors import IngestBusy
    from qa.system import build_embedder
    from vectorstore.errors import IndexCorrupt
    from vectorstore.errors import ChromaUnavailable

    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    embedder = build_embedder(settings)
    try:
        stores = _open_stores(settings, embedder, args.rebuild)
    except (IndexCorrupt, ChromaUnavailable) as e:
        return fail(e)
    progress, close = progress_bar("嵌入段落与句子", "条", plain_off_terminal=False)
    try:
        report = run_ingest(paths, ingest_options(settings, args.prune, args.rebuild), embedder,
                            stores, progress)
    except (IngestBusy, IndexCorrupt) as e:
        return fail(e)
    finally:
        close()
    if args.json:
        print_json(report.as_dict())
    else:
        print_report(report)
    return 0


def _open_stores(settings: Settings, embedder, rebuild: bool):
    """Return the stores to ingest into; before a rebuild a damaged embedded store is moved
    aside (also one that cannot be opened at all, since it is about to be rebuilt anyway)."""
    from qa.system import build_stores
    from ui.cli.errors import set_aside_damaged_store
    from vectorstore.errors import IndexCorrupt

    if rebuild and not settings.chroma_url:
        set_aside_damaged_store(settings.index_dir / "chroma")
    try:
        return build_stores(settings, embedder)
    except IndexCorrupt:
        if not rebuild or settings.chroma_url:
            raise
        set_aside_damaged_store(settings.index_dir / "chroma", force=True)
        return build_stores(settings, embedder)


def print_report(report) -> None:
    """Print an ingest report for a person: totals, then skipped, pruned and trimmed files."""
    print(
        f"完成：{report.documents} 篇讲话，{report.chunks} 个段落块"
        f"（合并重复段落 {report.merged} 个，新嵌入 {report.embedded} 个及其 {report.sentences_embedded} 个句子，"
        f"删除 {report.deleted} 个），"
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

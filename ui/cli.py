"""The `zwqa` command: ingest, list, ask, eval, ui."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from vectorstore.settings import Settings


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_ingest(args, settings: Settings) -> int:
    from ingest.pipeline import IngestBusy, run_ingest
    from ui.resources import build_embedder, build_stores, ingest_options
    from vectorstore.bm25 import IndexCorrupt

    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    embedder = build_embedder(settings)
    stores = build_stores(settings, embedder)
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
    return 0


def cmd_list(args, settings: Settings) -> int:
    from vectorstore.bm25 import IndexCorrupt, chunk_to_dict
    from vectorstore.index import IndexMissing, open_committed_index

    try:
        index = open_committed_index(settings.index_dir)
    except (IndexMissing, IndexCorrupt) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.chunks:
        for c in index.chunks:
            if args.json:
                _print_json(chunk_to_dict(c))
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


def build_parser() -> argparse.ArgumentParser:
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
    return parser


def main(argv: list[str] | None = None) -> int:
    import signal

    # `zwqa list | head` should end quietly, not with a BrokenPipeError.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    return args.func(args, Settings())


if __name__ == "__main__":
    sys.exit(main())

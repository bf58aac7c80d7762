"""`zwqa list`: the indexed speeches (from the committed summary when it has one), or chunks."""
from __future__ import annotations

from ui.cli.output import fail, print_json
from vectorstore.settings import Settings


def add_command(sub) -> None:
    p = sub.add_parser("list", help="列出已索引的讲话或段落")
    p.add_argument("--chunks", action="store_true", help="列出每个段落块")
    p.add_argument("--json", action="store_true", help="每行一个 JSON 对象")
    p.set_defaults(func=cmd_list)


def cmd_list(args, settings: Settings) -> int:
    from qa.system import build_stores
    from vectorstore.errors import IndexCorrupt
    from vectorstore.errors import ChromaUnavailable
    from vectorstore.index import (check_vectors, open_committed_index, open_committed_store, open_committed_summary)
    from vectorstore.errors import IndexMissing

    summary = None if args.chunks else open_committed_summary(settings.index_dir)
    if summary is not None:  # a huge catalog need not be read to list its speeches
        check_vectors(build_stores(settings, embedder=None), summary.collection, summary.chunks)
        for row in summary.documents:
            _print_speech(row, args.json)
        return 0
    try:
        index = open_committed_index(settings.index_dir)
        # Listing what cannot be searched would mislead: check the vectors are there too
        # (no embedder needed for that).
        open_committed_store(index, build_stores(settings, embedder=None))
    except (IndexMissing, IndexCorrupt, ChromaUnavailable) as e:
        return fail(e)
    if args.chunks:
        _print_chunks(index.chunks, args.json)
        return 0
    counts = index.chunk_counts()
    for d in index.documents():
        _print_speech({"doc_id": d.doc_id, "title": d.title, "date": d.date, "source": d.source,
                       "chunks": counts.get(d.doc_id, 0), "truncated": bool(d.truncated_at)},
                      args.json)
    return 0


def _print_speech(row: dict, as_json: bool) -> None:
    if as_json:
        print_json(row)
    else:
        print(f"{row['title']}  [{row['date'] or '日期不详'}]  {row['source']}  {row['chunks']} 段")


def _print_chunks(chunks, as_json: bool) -> None:

    for c in chunks:
        if as_json:
            print_json(c.to_dict())
        else:
            print(f"{c.id}  {c.title} | {c.section_path or '—'} | {c.start}-{c.end}\n    {c.text[:80]}")

"""The `zwqa lookup` and `zwqa terms` commands: every mention of a policy term, the glossary."""
from __future__ import annotations

import json

from ui.cli.openers import open_lookup
from ui.cli.output import fail
from vectorstore.settings import Settings


def _print_mentions(result, lookup) -> None:
    """Print a lookup for a person: definition, then mentions grouped by speech."""
    if result.definition is not None:
        doc = lookup.document(result.definition.doc_id)
        print(f"定义（《{doc.title if doc else ''}》）：\n  {_marked(result.definition)}\n")
    if not result.speeches:
        print(f"讲话中没有出现“{result.term}”。")
        if result.suggestions:
            print("您是不是要找：" + "、".join(result.suggestions))
        return
    print(f"“{result.term}”共出现 {result.total} 次，见于 {len(result.speeches)} 篇讲话：")
    for s in result.speeches:
        print(f"\n《{s.title}》 {s.count} 次")
        for m in s.mentions:
            print(f"  [{m.section_path or '开篇'} · {m.start}-{m.end}] {_marked(m)}")


def _marked(mention) -> str:
    a, b = mention.highlight
    text = mention.sentence
    return f"{text[:a]}【{text[a:b]}】{text[b:]}"


def cmd_lookup(args, settings: Settings) -> int:
    from qa.lookup import lookup_to_dict
    from vectorstore.errors import EmptyTerm

    lookup = open_lookup(settings)
    if lookup is None:
        return 2
    try:
        result = lookup.lookup(args.term)
    except EmptyTerm as e:
        return fail(e)
    if args.json:
        print(json.dumps(lookup_to_dict(result, lookup), ensure_ascii=False))
    else:
        _print_mentions(result, lookup)
    return 0


def cmd_terms(args, settings: Settings) -> int:
    from qa.lookup import glossary_row

    lookup = open_lookup(settings)
    if lookup is None:
        return 2
    rows = [glossary_row(e, d, lookup) for e, d in lookup.glossary(defined_only=args.defined)]
    for row in rows:
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            line = f"{row['term']}  {row['mentions']} 次 / {row['speeches']} 篇"
            print(line + (f"\n    定义：{row['definition']}" if row["definition"] else ""))
    return 0


def add_command(sub) -> None:
    """Register `lookup` and `terms` on the zwqa subcommand parser."""
    p = sub.add_parser("lookup", help="查政策：列出术语在讲话中的每一处出现（含定义）")
    p.add_argument("term", help="术语，如 一窗受理、321608")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出")
    p.set_defaults(func=cmd_lookup)

    p = sub.add_parser("terms", help="术语表：术语、定义句、出现的讲话与次数")
    p.add_argument("--defined", action="store_true", help="只列出讲话中有定义的术语")
    p.add_argument("--json", action="store_true", help="每行一个 JSON 对象")
    p.set_defaults(func=cmd_terms)

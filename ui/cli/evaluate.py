"""`zwqa eval`: score the labelled questions (or an external dataset) against the index, with
the baseline retrievers beside it on request (the work is evaluation.evaluate's)."""
from __future__ import annotations

import sys

from ui.cli.output import print_json, progress_bar
from vectorstore.settings import Settings


def add_command(sub) -> None:
    from evaluation.sources import DATASETS, EXTERNAL_DIR

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


def cmd_eval(args, settings: Settings) -> int:
    from dataclasses import fields

    from evaluation.evaluate import EvalRequest, evaluate, write_answer_lines
    from evaluation.report import format_report
    from evaluation.sources import EvalRefused

    request = EvalRequest(**{f.name: getattr(args, f.name) for f in fields(EvalRequest)})
    try:
        result = evaluate(request, settings, progress_bar, warn=lambda m: print(m, file=sys.stderr))
    except EvalRefused as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.out:
        write_answer_lines(args.out, result.answer_lines)
    if args.json:
        print_json(result.report)
    else:
        print(format_report(result.report))
    return 0

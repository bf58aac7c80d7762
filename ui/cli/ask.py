"""`zwqa ask`: one question answered with its sources, or a file of questions (--batch)."""
from __future__ import annotations

from ui.cli.errors import positive_int
from ui.cli.output import fail
from vectorstore.settings import Settings

SNIPPET_CHARS = 80  # characters of each nearest passage printed


def add_command(sub) -> None:
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


def cmd_ask(args, settings: Settings) -> int:
    from vectorstore.errors import InvalidQuestion
    from qa.serialize import answer_to_dict, to_json_line
    from ui.cli.openers import open_current_answerer

    if (args.question is None) == (args.batch is None):
        return fail("请给出一个问题，或用 --batch 指定问题文件（二者选一）")
    if args.batch is not None:
        return _ask_batch(args, settings)
    answerer = open_current_answerer(settings, args.mode)
    if answerer is None:
        return 2
    try:
        answer = answerer.answer(args.question, mode=args.mode, k=args.k)
    except InvalidQuestion as e:
        return fail(e)
    if args.json:
        print(to_json_line(answer_to_dict(answer)))
    else:
        print_answer(answer)
    return 0


def _ask_batch(args, settings: Settings) -> int:
    """Answer the --batch file into --out (or stdout); the file and --out are checked before
    any model loads, so a bad --out does not cost a minute of loading."""
    from ui.cli.batch import PendingOutput, answer_batch, check_question_file
    from vectorstore.errors import OutputUnusable
    from ui.cli.openers import open_current_answerer

    pending = None
    problem = check_question_file(args.batch)
    if problem is None and args.out:
        try:
            pending = PendingOutput(args.out)
        except OutputUnusable as e:
            problem = str(e)
    if problem:
        return fail(problem)
    try:
        answerer = open_current_answerer(settings, args.mode)
        if answerer is None:
            return 2
        code, pending = answer_batch(answerer, args.batch, pending, args.mode, args.k), None
        return code
    finally:
        if pending is not None:
            pending.discard()


def print_answer(answer) -> None:
    """Print an answer for a person: the text, then numbered sources (title > section)."""
    print(answer.text)
    if answer.rewritten:
        print(f"\n（按完整问题检索：{answer.rewritten}）")
    if answer.citations:
        print("\n来源：")
        for c in answer.citations:
            print(f"[{c.n}] {_where(c.chunk)}")
            if answer.mode == "extractive":
                continue  # the answer already quotes the highlighted sentences
            for a, b in c.highlights:
                print(f"    “{c.chunk.text[a:b].strip()}”")
    elif answer.refused and answer.retrieved:
        print("\n最接近的段落：")
        for i, hit in enumerate(answer.retrieved[:3], start=1):
            snippet = hit.chunk.text.replace("\n", " ")
            more = "…" if len(snippet) > SNIPPET_CHARS else ""
            print(f"{i}. {_where(hit.chunk)}\n    {snippet[:SNIPPET_CHARS]}{more}")
    for note in answer.notes:
        print(f"（{note}）")


def _where(chunk) -> str:
    return " > ".join(p for p in (chunk.title, chunk.section_path) if p)

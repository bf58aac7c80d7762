"""The `zwqa` command line: one module per command (ui.cli.ask, ui.cli.ingest, …), each parsing
its arguments, calling the qa / ingest / evaluation API and printing the result. main() runs the
command asked for and turns expected failures into one Chinese message and exit code 2."""
from __future__ import annotations

import argparse
import sys

from vectorstore.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    from ui.cli import ask, chat, evaluate, ingest, listing, lookup, serve

    parser = argparse.ArgumentParser(prog="zwqa", description="政务服务讲话问答")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in (ingest, listing, ask, evaluate, chat, lookup, serve):  # `zwqa --help` order
        command.add_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    import signal

    # `zwqa list | head` should end quietly, not with a BrokenPipeError.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    from ui.cli.errors import expected_message

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

"""`zwqa ui`: the Streamlit command line it runs."""
from __future__ import annotations

from pathlib import Path

from ui.cli.chat import streamlit_command
from ui.cli import build_parser


def option(cmd: list[str], name: str) -> str:
    return cmd[cmd.index(name) + 1]


def test_command_serves_the_app_locally_headless_without_telemetry():
    cmd = streamlit_command(8612)
    assert cmd[1:4] == ["-m", "ui.chat.server", "run"]  # streamlit behind a Host check
    assert Path(cmd[4]) == Path(__file__).resolve().parents[2] / "ui" / "chat" / "main_page.py"
    assert Path(cmd[4]).is_file()
    assert option(cmd, "--server.address") == "127.0.0.1"
    assert option(cmd, "--server.port") == "8612"
    assert option(cmd, "--server.headless") == "true"
    assert option(cmd, "--browser.gatherUsageStats") == "false"


def test_ui_subcommand_takes_a_port():
    args = build_parser().parse_args(["ui", "--port", "9001"])
    assert args.port == 9001 and args.address == "127.0.0.1"
    assert build_parser().parse_args(["ui"]).port == 8501

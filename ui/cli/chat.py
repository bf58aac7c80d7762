"""`zwqa ui`: serve the chat and 查政策 pages (Streamlit behind a Host check, local only)."""
from __future__ import annotations

import sys
from pathlib import Path

from vectorstore.settings import Settings


def add_command(sub) -> None:
    p = sub.add_parser("ui", help="启动聊天页面（Streamlit，仅本机访问）")
    p.add_argument("--port", type=int, default=8501, help="端口（默认 8501）")
    p.add_argument("--address", default="127.0.0.1", help="监听地址（默认 127.0.0.1，仅本机）")
    p.set_defaults(func=cmd_ui)


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """Return the command line that serves the chat page: headless, telemetry off, no reloads."""
    app = Path(__file__).resolve().parents[1] / "chat" / "main_page.py"
    return [
        # ui.chat.server runs Streamlit with a Host header check (DNS rebinding).
        sys.executable, "-m", "ui.chat.server", "run", str(app),
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

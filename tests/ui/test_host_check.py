"""`zwqa ui` refuses HTTP requests and WebSocket upgrades whose Host header names another site
(DNS rebinding), and serves its own address, loopback names and ZWQA_ALLOWED_HOSTS."""
import base64
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from ui.chat.server import allowed_host_names, host_name

ROOT = Path(__file__).resolve().parents[2]


def test_host_names_without_ports():
    assert host_name("127.0.0.1:8501") == "127.0.0.1"
    assert host_name("[::1]:8501") == "::1"
    assert host_name("Zwqa.Example.org.") == "zwqa.example.org"
    allowed = allowed_host_names("127.0.0.1", " zwqa.example.org ,intra ")
    assert {"127.0.0.1", "localhost", "zwqa.example.org", "intra"} <= allowed
    assert "evil.example" not in allowed
    assert "0.0.0.0" not in allowed_host_names("0.0.0.0")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raw_request(port: int, request: str) -> str:
    """Return the status line the server answers a raw request with."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode("latin-1"))
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def upgrade(port: int, host: str) -> str:
    key = base64.b64encode(os.urandom(16)).decode()
    return raw_request(port, (
        f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"))


def get(port: int, host: str, path: str = "/_stcore/health") -> str:
    return raw_request(port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")


@pytest.fixture(scope="module")
def chat_port(tmp_path_factory, zwqa_cli):
    port = free_port()
    index_dir = tmp_path_factory.mktemp("ui") / "index"
    env = zwqa_cli.env(index_dir)
    env["ZWQA_ALLOWED_HOSTS"] = "zwqa.intra.example"
    proc = subprocess.Popen([*zwqa_cli.command, "ui", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            try:
                if " 200 " in get(port, f"127.0.0.1:{port}") + " ":
                    break
            except OSError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"zwqa ui exited with {proc.returncode}")
            time.sleep(0.5)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_foreign_host_is_refused(chat_port):
    assert " 403 " in upgrade(chat_port, "evil.example") + " "
    assert " 403 " in get(chat_port, "evil.example") + " "
    assert " 403 " in get(chat_port, f"evil.example:{chat_port}", "/") + " "


@pytest.mark.slow
def test_own_and_configured_hosts_are_served(chat_port):
    assert " 101 " in upgrade(chat_port, f"127.0.0.1:{chat_port}") + " "
    assert " 200 " in get(chat_port, f"localhost:{chat_port}") + " "
    assert " 200 " in get(chat_port, "zwqa.intra.example") + " "

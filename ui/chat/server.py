"""Runs the Streamlit chat server with a Host header check (`zwqa ui` executes this module).

A page on any site can make a browser send requests to 127.0.0.1 under its own host name (DNS
rebinding); refusing every request — HTTP or WebSocket upgrade — whose Host is not the bound
address, a loopback name or a name listed in ZWQA_ALLOWED_HOSTS keeps such pages out.

Streamlit serves through Starlette/uvicorn and builds its ASGI app with
streamlit.web.server.starlette.starlette_server.create_starlette_app; the check wraps what that
returns. Usage: python -m ui.chat.server run <app.py> [streamlit options].
"""
from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterable

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# Addresses that bind every interface: they name no host a browser would send.
_WILDCARDS = ("", "0.0.0.0", "::")


def allowed_host_names(bound_address: str, configured: str = "") -> frozenset[str]:
    """Return the host names (lower case, no port) requests may carry."""
    names = {*LOOPBACK_NAMES, *(n.strip().lower() for n in configured.split(",") if n.strip())}
    if bound_address not in _WILDCARDS:
        names.add(bound_address.strip("[]").lower())
    return frozenset(names)


def host_name(host_header: str) -> str:
    """Return the host of a Host header without its port: "[::1]:8501" → "::1"."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def _is_allowed(host_header: str | None, allowed: Iterable[str]) -> bool:
    if not host_header:
        return False
    name = host_name(host_header)
    if name in allowed:
        return True
    try:  # "127.000.000.001" and other spellings of a loopback address
        return ipaddress.ip_address(name).is_loopback and "127.0.0.1" in allowed
    except ValueError:
        return False


class HostCheck:
    """ASGI middleware answering 403 to HTTP requests and WebSocket upgrades with a foreign
    Host header; lifespan and allowed requests go through unchanged."""

    def __init__(self, app, allowed: Iterable[str]):
        self.app = app
        self.allowed = frozenset(allowed)

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            headers = dict(scope.get("headers") or [])
            host = headers.get(b"host", b"").decode("latin-1")
            if not _is_allowed(host, self.allowed):
                await _refuse(scope, send)
                return
        await self.app(scope, receive, send)


async def _refuse(scope, send) -> None:
    if scope["type"] == "websocket":
        # Closing before accepting makes the server answer the upgrade with HTTP 403.
        await send({"type": "websocket.close", "code": 1008})
        return
    body = "拒绝访问：请求的主机名不在允许范围内（可用 ZWQA_ALLOWED_HOSTS 添加）".encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def install_host_check() -> None:
    """Make Streamlit wrap its ASGI app in HostCheck (allowed names read when the app is made)."""
    from streamlit import config
    from streamlit.web.server.starlette import starlette_server

    from vectorstore.settings import Settings

    create = starlette_server.create_starlette_app

    def create_checked_app(runtime):
        address = config.get_option("server.address") or ""
        allowed = allowed_host_names(address, Settings().allowed_hosts)
        return HostCheck(create(runtime), allowed)

    starlette_server.create_starlette_app = create_checked_app


def main() -> None:
    install_host_check()
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", *sys.argv[1:]]
    streamlit_main()


if __name__ == "__main__":
    main()

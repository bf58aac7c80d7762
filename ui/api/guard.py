"""ASGI middleware in front of the API: Host header check, body size limit, bearer token."""
from __future__ import annotations

import hmac
import json

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
OPEN_PATHS = ("/healthz",)  # answered without a token (no corpus content)


def is_loopback(host: str) -> bool:
    return host.strip("[]") in LOOPBACK_NAMES or host.startswith("127.")


def allowed_hosts(bound: str, configured: str = "") -> set[str]:
    """Return the Host names (without port) a request may name: the bound address, the
    loopback names, and the configured ones (comma-separated)."""
    names = {bound.strip("[]").lower(), *LOOPBACK_NAMES}
    names.update(n.strip().lower() for n in configured.split(",") if n.strip())
    return names


def _host_name(header: str) -> str:
    header = header.strip().lower()
    if header.startswith("["):  # [::1]:8000
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class ApiGuard:
    """Refuses, before the app sees them: a Host not served here (DNS rebinding), a body over
    max_body bytes, and — when a key is set — a request without `Authorization: Bearer <key>`."""

    def __init__(self, app, hosts: set[str], max_body: int, api_key: str = ""):
        self.app, self.hosts, self.max_body, self.api_key = app, hosts, max_body, api_key

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if _host_name(headers.get("host", "")) not in self.hosts:
            return await _refuse(send, 400, "请求的主机名不是本服务的地址", "invalid_host")
        if self.api_key and scope["path"] not in OPEN_PATHS:
            given = headers.get("authorization", "")
            token = given[7:].strip() if given[:7].lower() == "bearer " else ""
            if not hmac.compare_digest(token.encode(), self.api_key.encode()):
                return await _refuse(send, 401, "缺少或错误的 API 密钥：请在 Authorization 头中发送 Bearer 密钥",
                                     "invalid_api_key", {"www-authenticate": "Bearer"})
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            return await _refuse(send, 413, f"请求体过大（上限 {self.max_body} 字节）", "body_too_large")
        body = b""
        more = scope["method"] in ("POST", "PUT", "PATCH")
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                return await _refuse(send, 413, f"请求体过大（上限 {self.max_body} 字节）", "body_too_large")
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


async def _refuse(send, status: int, message: str, code: str, headers: dict | None = None) -> None:
    body = json.dumps({"error": {"message": message, "type": "invalid_request_error",
                                 "param": None, "code": code}}, ensure_ascii=False).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})

"""The `zwqa serve` command: the HTTP API (OpenAI-compatible chat with citations) via uvicorn."""
from __future__ import annotations

import sys

from ui.cli.output import fail
from vectorstore.settings import Settings


def cmd_serve(args, settings: Settings) -> int:
    from ui.api.guard import is_loopback

    if not is_loopback(args.host) and not settings.api_key:
        return fail(f"监听非本机地址 {args.host} 时必须设置 ZWQA_API_KEY（客户端以 Bearer 密钥访问）")
    from ui.api.app import create_app
    from ui.api.service import build_service
    from vectorstore.errors import (ChromaUnavailable, EmbeddingModelMissing, IndexCorrupt,
                                    IndexMissing)

    try:
        service = build_service(settings, with_llm=not args.no_llm)
    except (IndexMissing, IndexCorrupt, EmbeddingModelMissing, ChromaUnavailable) as e:
        return fail(e)
    app = create_app(service, args.host, settings.allowed_hosts, settings.api_max_body_bytes,
                     settings.api_key)
    import uvicorn

    if service.llm_note:
        print(f"只提供原文摘录：{service.llm_note}", file=sys.stderr)

    print(f"接口地址：http://{args.host}:{args.port}/v1（模型：{'、'.join(service.models)}；Ctrl+C 退出）",
          file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def add_command(sub) -> None:
    """Register `serve` on the zwqa subcommand parser."""
    p = sub.add_parser("serve", help="启动 HTTP 接口（兼容 OpenAI，回答带引用）")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，仅本机）")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--no-llm", action="store_true", help="不加载大模型，只提供原文摘录（zwqa-extractive）")
    p.set_defaults(func=cmd_serve)

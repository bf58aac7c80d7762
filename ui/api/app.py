"""The FastAPI app of `zwqa serve`: routes over one shared ApiService.

    POST /v1/chat/completions   OpenAI chat completions (+ citations, refused); stream: true → SSE
    GET  /v1/models             zwqa-extractive, and zwqa-llm when a chat model is loaded
    POST /v1/search             hybrid retrieval with filters
    GET  /v1/lookup?term=       every mention of a policy term
    GET  /v1/terms              the glossary
    GET  /healthz               liveness and index figures (no token needed)
"""
from __future__ import annotations

import time

from fastapi import FastAPI, Query
from fastapi.responses import StreamingResponse

from ui.api import openai_chat
from ui.api.errors import install_error_handlers
from ui.api.guard import ApiGuard, allowed_hosts
from ui.api.schemas import ChatRequest, SearchFilters, SearchRequest
from vectorstore.errors import ApiError


def _filters(given: SearchFilters | None):
    from qa.retrieve import Filters

    if given is None:
        return None
    found = Filters(doc_ids=tuple(given.doc_ids), titles=tuple(given.titles),
                    date_from=given.date_from or None, date_to=given.date_to or None)
    return found if found.active else None


def _hit_dict(rank: int, hit) -> dict:
    c = hit.chunk
    return {"rank": rank, "id": c.id, "doc_id": c.doc_id, "title": c.title,
            "section_path": c.section_path, "start": c.start, "end": c.end, "text": c.text,
            "date": c.date, "also_in": list(c.also_in), "score": round(float(hit.score), 6),
            "dense": hit.dense, "bm25": hit.bm25}


def _complete_chat(service, request: ChatRequest):
    """Answer a chat completion: one JSON reply, or server-sent events with stream: true."""
    from vectorstore.errors import InvalidQuestion

    if request.model not in openai_chat.MODEL_MODES:
        raise ApiError(404, f"没有模型 {request.model}：可选 {'、'.join(service.models)}",
                       "model_not_found", "model")
    if request.model not in service.models:
        raise ApiError(400, "没有可用的大模型：请用 zwqa-extractive（原文摘录）", "model_unavailable",
                       "model")
    question, history = openai_chat.question_and_history(request.messages)
    events = service.answerer.stream(question, history, openai_chat.MODEL_MODES[request.model],
                                     _filters(request.filters), request.k)
    try:
        first = next(events)  # bad questions fail here, before any byte is sent
    except (InvalidQuestion, ValueError) as e:
        raise ApiError(400, str(e), "invalid_question", "messages") from e
    if request.stream:
        return StreamingResponse(openai_chat.stream_events(first, events, request.model),
                                 media_type="text/event-stream",
                                 headers={"cache-control": "no-cache"})
    final = first.answer if first.kind == "done" else None
    for event in events:
        if event.kind == "done":
            final = event.answer
    return openai_chat.completion(final, request.model)


def create_app(service, host: str = "127.0.0.1", api_hosts: str = "", max_body: int = 65536,
               api_key: str = "") -> ApiGuard:
    """Return the ASGI app: the routes behind the Host/size/token guard."""
    app = FastAPI(title="zwqa", version="1", docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(app)
    answerer = service.answerer

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "generation": service.generation, "documents": service.documents,
                "chunks": service.chunks, "models": service.models}

    @app.get("/v1/models")
    def models() -> dict:
        return {"object": "list", "data": [
            {"id": m, "object": "model", "created": 0, "owned_by": "zwqa"} for m in service.models]}

    @app.post("/v1/chat/completions")
    def chat(request: ChatRequest):
        return _complete_chat(service, request)

    @app.post("/v1/search")
    def search(request: SearchRequest) -> dict:
        query = request.query.strip()
        if not query:
            raise ApiError(400, "检索内容不能为空", "empty_query", "query")
        t = time.perf_counter()
        hits = answerer.retriever.retrieve(query, request.k, _filters(request.filters))
        return {"object": "list", "query": query,
                "data": [_hit_dict(i, h) for i, h in enumerate(hits[: request.k], start=1)],
                "took_ms": round((time.perf_counter() - t) * 1000, 1)}

    @app.get("/v1/lookup")
    def lookup(term: str = Query("", max_length=100)) -> dict:
        from qa.lookup import lookup_to_dict
        from vectorstore.errors import EmptyTerm

        try:
            result = service.lookup.lookup(term)
        except EmptyTerm as e:
            raise ApiError(400, str(e), "empty_term", "term") from e
        return lookup_to_dict(result, service.lookup)

    @app.get("/v1/terms")
    def terms(defined: bool = False) -> dict:
        from qa.lookup import glossary_row

        rows = service.lookup.glossary(defined_only=defined)
        return {"object": "list", "data": [glossary_row(e, d, service.lookup) for e, d in rows]}

    return ApiGuard(app, allowed_hosts(host, api_hosts), max_body, api_key)

"""The chat model: the local GGUF served by llama.cpp, or an OpenAI-compatible endpoint.

    chat, server = open_chat_model(settings)   # local GGUF (llama.cpp server) or an endpoint

qa.llm_answer writes answers with it, qa.llm_rewrite makes follow-ups standalone.
"""
from __future__ import annotations

from pathlib import Path

from vectorstore.errors import LLMUnavailable, ServerStartError
from vectorstore.settings import Settings, default_cache_dir

ANSWER_MAX_TOKENS = 256  # a cited answer of 1 to 3 sentences, as JSON, fits with room to spare
# Seconds the client waits on the endpoint (to connect, or between two pieces of a streamed
# reply) before giving up: generous, since on two CPU cores a long prompt is read at ~80
# tokens/s before the first token comes.
REQUEST_TIMEOUT_S = 120


def model_path(settings: Settings) -> Path:
    """Return the GGUF file settings point to (the joined Qwen model when llm_path is empty)."""
    if settings.llm_path:
        return Path(settings.llm_path).expanduser()
    from qa.model_file import default_model_path

    return default_model_path(default_cache_dir())


def start_local_server(settings: Settings):
    """Return a running qa.llm_server.LocalLLMServer over the local GGUF (loads it now, a few
    seconds). Raises LLMUnavailable when the file is missing or cannot be loaded."""
    from qa.llm_server import LocalLLMServer

    path = model_path(settings)
    if not path.is_file():
        raise LLMUnavailable(
            f"找不到本地大模型文件：{path}。请先运行 scripts/setup.sh 准备模型，"
            "或设置 ZWQA_LLM_PATH 指向一个 GGUF 文件，或设置 ZWQA_LLM_BASE_URL 使用兼容 OpenAI 的服务。"
        )
    try:
        return LocalLLMServer.start(path, ctx=settings.llm_ctx, threads=settings.llm_threads)
    except ServerStartError as e:
        raise LLMUnavailable(str(e)) from e


def build_chat_model(settings: Settings, local_url: str | None = None,
                     max_tokens: int = ANSWER_MAX_TOKENS):
    """Return a streaming ChatOpenAI: on ZWQA_LLM_BASE_URL when it is set, else on local_url
    (a LocalLLMServer's base_url). Builds the client only; nothing is contacted yet.

    Generation is greedy (temperature 0) so the same question gets the same answer.
    Raises LLMUnavailable when the endpoint lacks a model name or there is no endpoint."""
    from langchain_openai import ChatOpenAI

    if settings.llm_base_url:
        if not settings.llm_model:
            raise LLMUnavailable("设置了 ZWQA_LLM_BASE_URL，但没有设置模型名：请同时设置 ZWQA_LLM_MODEL")
        base_url, model, retries = settings.llm_base_url, settings.llm_model, 1
    elif local_url:
        from qa.llm_server import MODEL_ALIAS

        base_url, model, retries = local_url, MODEL_ALIAS, 0
    else:
        raise LLMUnavailable("没有大模型服务：请启动本地模型，或设置 ZWQA_LLM_BASE_URL")
    return ChatOpenAI(
        base_url=base_url,
        model=model,
        # Local OpenAI-compatible servers (llama.cpp server, vLLM, Ollama) accept any key.
        api_key=settings.llm_api_key or "not-needed",
        temperature=0,
        max_tokens=max_tokens,
        streaming=True,
        max_retries=retries,
        timeout=REQUEST_TIMEOUT_S,
    )


def open_chat_model(settings: Settings):
    """Return (chat model, local server or None): the endpoint's client when
    ZWQA_LLM_BASE_URL is set, else the local GGUF's server (started now) and its client."""
    if settings.llm_base_url:
        return build_chat_model(settings), None
    server = start_local_server(settings)
    return build_chat_model(settings, local_url=server.base_url), server


def endpoint_errors() -> tuple[type[BaseException], ...]:
    """Return the exception types of an unreachable or failing endpoint."""
    import httpx
    import openai

    return (openai.APIError, httpx.HTTPError, OSError)

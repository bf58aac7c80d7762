"""Runs the local GGUF chat model as llama.cpp's OpenAI-compatible server (prebuilt xllamacpp),
inside this process, on 127.0.0.1 and a port the system picks.

    server = LocalLLMServer.start(path, ctx=4096, threads=2)   # loads the model (a few seconds)
    chat = ChatOpenAI(base_url=server.base_url, ...)             # every generation goes over HTTP
    server.close()                                               # or: with LocalLLMServer.start(...)

The server keeps llama.cpp's prompt cache on, so a prompt that opens with the same instructions
as the previous one re-reads only what follows them. One slot: requests queue one after another.
"""
from __future__ import annotations

import threading
from pathlib import Path

from vectorstore.errors import ServerStartError

MODEL_ALIAS = "zwqa-local"  # the model name the local server answers to


class LocalLLMServer:
    """llama.cpp's server over one GGUF file, listening on 127.0.0.1 until close()."""

    def __init__(self, server, base_url: str, model_path: Path):
        self._server = server
        self._lock = threading.Lock()
        self.base_url = base_url  # e.g. http://127.0.0.1:38319/v1
        self.model_path = model_path

    @classmethod
    def start(cls, model_path: Path, ctx: int, threads: int, verbosity: int = 1) -> LocalLLMServer:
        """Return a running server over the GGUF at model_path (loads it now).

        ctx is set explicitly: llama.cpp's 0 would mean the model's full 32k context, eight
        times the memory. Raises ServerStartError when xllamacpp is missing or the load fails."""
        try:
            import xllamacpp
        except ImportError as e:
            raise ServerStartError("没有安装 xllamacpp：请运行 scripts/setup.sh") from e
        params = xllamacpp.CommonParams()
        params.model.path = str(model_path)
        params.model_alias = MODEL_ALIAS
        params.n_ctx = ctx
        params.n_parallel = 1  # one slot: the whole context for one answer, no batching to wait on
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.cache_prompt = True  # reuse the common prefix (the fixed instructions)
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # a free port, read back from listening_address
        params.verbosity = verbosity  # 1: errors only; llama.cpp's default 3 logs every request
        params.warmup = True
        try:
            server = xllamacpp.Server(params)
        except Exception as e:  # the binding raises plain RuntimeError/ValueError on a bad file
            raise ServerStartError(f"无法加载本地大模型 {model_path}：{e}") from e
        address = server.listening_address or ""
        if not address.startswith("http"):
            address = f"http://{address}"
        return cls(server, address.rstrip("/") + "/v1", Path(model_path))

    def close(self) -> None:
        """Stop the server and free the model (safe to call twice)."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            del server  # ~Server stops the HTTP loop and waits for it to exit

    def __enter__(self) -> LocalLLMServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

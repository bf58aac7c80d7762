"""Opening a Chroma client (an embedded folder or a server) and setting a damaged folder aside."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from vectorstore.errors import REBUILD_HINT, ChromaUnavailable, IndexCorrupt


def _setting(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def chroma_path(settings_or_args: Any) -> Path:
    """Return the folder of the embedded Chroma store: <index_dir>/chroma."""
    return Path(_setting(settings_or_args, "index_dir")) / "chroma"


def parse_chroma_url(url: str) -> tuple[str, int, bool]:
    """Return (host, port, ssl) of a Chroma server URL such as http://127.0.0.1:8000."""
    parsed = urlparse(url if "://" in url else f"http://{url}")
    try:
        port = parsed.port
    except ValueError:
        port = None
        parsed = parsed._replace(netloc="")
    if not parsed.hostname or parsed.scheme not in ("http", "https"):
        raise ValueError(f"无法解析 Chroma 地址：{url!r}（应形如 http://127.0.0.1:8000）")
    ssl = parsed.scheme == "https"
    return parsed.hostname, port or (443 if ssl else 8000), ssl


def open_chroma_client(settings_or_args: Any = None, *, path: str | Path | None = None,
                       url: str | None = None):
    """Return a Chroma client: an HttpClient when a server URL is set
    (`chroma_url`, e.g. http://127.0.0.1:8000), else a PersistentClient on
    `path` or <index_dir>/chroma. Telemetry is off.

    Raises ChromaUnavailable when the server does not answer and IndexCorrupt when the
    embedded store's files cannot be opened (`zwqa ingest --rebuild` replaces them)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    url = url if url is not None else _setting(settings_or_args, "chroma_url", "")
    if url:
        host, port, ssl = parse_chroma_url(url)
        try:
            return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
        except Exception as e:  # chromadb raises ValueError / httpx errors when nobody answers
            raise ChromaUnavailable(
                f"无法连接 Chroma 服务器 {url}（{e}）。请确认服务器已启动"
                f"（chroma run --path <数据目录> --host <地址> --port <端口>），"
                "并检查 ZWQA_CHROMA_URL"
            ) from e
    if path is None:
        if _setting(settings_or_args, "index_dir") is None:
            raise ValueError("需要 index_dir、path 或 chroma_url 之一")
        path = chroma_path(settings_or_args)
    Path(path).mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as e:  # e.g. chroma.sqlite3 overwritten: "file is not a database"
        _forget_failed_client(str(path))
        raise IndexCorrupt(f"Chroma 向量库无法打开，文件可能已损坏：{path}（{e}）。{REBUILD_HINT}") from e


def _forget_failed_client(path: str) -> None:
    # chromadb caches one System per folder before starting it; a start that failed would
    # otherwise be handed out again, so a later open in this process (after the folder was
    # replaced) could never succeed.
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient._identifier_to_system.pop(path, None)
    except (ImportError, AttributeError):
        pass


def embedded_store_damage(path: str | Path) -> str | None:
    """Return why the embedded store's database is damaged (sqlite's own words), or None when
    it reads whole or does not exist. Reads every page: about 5 ms per MB."""
    import sqlite3

    db_file = Path(path) / "chroma.sqlite3"
    if not db_file.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=30)
        try:
            rows = db.execute("PRAGMA quick_check").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        return str(e)
    problems = [r[0] for r in rows if r and r[0] != "ok"]
    return "；".join(problems[:3]) or None


def move_aside(path: str | Path) -> Path:
    """Rename a damaged embedded store to chroma.corrupt-<time> beside it; return the new path."""
    import time

    path = Path(path)
    _forget_failed_client(str(path))
    target = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
    path.rename(target)
    return target

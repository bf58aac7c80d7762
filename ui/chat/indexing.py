"""Ingest from the chat page with progress drawn on it: the bundled corpus on a first start,
uploaded files from the sidebar."""
from __future__ import annotations

import time

import streamlit as st

from ui.chat import uploads
from ui.chat.render import TITLE
from vectorstore.settings import Settings

BUSY_RETRY_SECONDS = 3  # how long a page waits before looking again while another page ingests


def embed_progress():
    """Return a progress(done, total) callback drawing a bar of the passages and sentences
    embedded so far."""
    bar = st.progress(0.0, text="读取并切分讲话…")

    def progress(done: int, total: int) -> None:
        if total:
            bar.progress(done / total, text=f"嵌入段落与句子 {done}/{total}")

    return progress


def ensure_index(settings: Settings, embedder, stores) -> None:
    """Ingest the bundled corpus, with progress on the page, when there is no index yet."""
    from ingest.options import ingest_options
    from ingest.pipeline import run_ingest
    from vectorstore.errors import IngestBusy
    from vectorstore.catalog import current_generation

    if current_generation(settings.index_dir) is not None:
        return
    st.title(TITLE)
    st.info("首次启动：正在把自带的讲话语料导入索引，完成后即可提问。")
    with st.status("正在建立索引…", expanded=True) as status:
        progress = embed_progress()
        try:
            report = run_ingest([settings.corpus_dir], ingest_options(settings), embedder, stores,
                                progress)
        except IngestBusy:
            status.update(label="另一个页面正在建立索引，请稍候…", state="running")
            time.sleep(BUSY_RETRY_SECONDS)
            st.rerun()
        status.update(label=f"索引已建立：{report.documents} 篇讲话，{report.chunks} 段，"
                            f"用时 {report.seconds} 秒", state="complete")
    st.rerun()


def ingest_saved_uploads(saved, settings: Settings, embedder, stores):
    """Ingest the saved uploads with progress on the page; return (the report, or None when
    nothing was ingested, and the (ok, line) messages of a failed ingest)."""
    from vectorstore.errors import IngestBusy
    from vectorstore.errors import IndexCorrupt

    report = None
    lines: list[tuple[bool, str]] = []
    if any(s.path for s in saved):
        with st.status("正在导入上传的文件…", expanded=True) as status:
            progress = embed_progress()
            try:
                report = uploads.ingest_uploads(saved, settings, embedder, stores, progress)
                status.update(label=f"导入完成，用时 {report.seconds} 秒", state="complete")
            except (IngestBusy, IndexCorrupt) as e:
                status.update(label="导入失败", state="error")
                lines.append((False, str(e)))
    return report, lines

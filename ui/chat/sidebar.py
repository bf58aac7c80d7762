"""The chat page's sidebar: answer mode, search scope, corpus figures, uploads and the saved
conversations."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.chat import conversations, export, uploads
from ui.chat.background import LOADING, READY, BackgroundLoad
from ui.chat.corpus_facts import corpus_figures, date_bounds, speech_options
from ui.chat.indexing import ingest_saved_uploads
from ui.chat.render import MODE_LABELS, md_literal
from ui.chat.session import delete_current, open_conversation, rename_current
from vectorstore.settings import Settings

LISTED_CONVERSATIONS = 30  # saved conversations the sidebar lists, newest first


def draw_sidebar(settings: Settings, resources, documents, answers, folder: Path):
    """Draw the sidebar; return (mode, Filters or None, number of passages) for the question."""
    with st.sidebar:
        st.header("设置")
        mode = sidebar_mode(resources.llm)
        filters, k = sidebar_filters(settings, documents)
        sidebar_corpus(resources.index)
        sidebar_upload(settings, resources.embedder, resources.stores)
        sidebar_conversation(answers, folder)
    return mode, filters, k


def sidebar_mode(llm: BackgroundLoad) -> str:
    """Draw the answer-mode choice; return the mode to use ("llm" only when the model is ready)."""
    ready = llm.state == READY
    if not ready:
        st.session_state.mode = "extractive"
    elif st.session_state.mode_auto:
        st.session_state.mode = "llm"
    st.radio(
        "回答方式", options=["llm", "extractive"], format_func=MODE_LABELS.get, key="mode",
        horizontal=True, disabled=not ready,
        on_change=lambda: st.session_state.update(mode_auto=False),
    )
    if llm.state == LOADING:
        st.caption("生成回答：本地大模型加载中，可先用原文摘录提问。")
    elif not ready:
        st.caption(md_literal(f"生成回答不可用：{llm.error}"))
    else:
        st.caption("生成回答：大模型依据检索到的段落作答，每句标注来源；原文摘录：直接引用讲话原句。")
    return st.session_state.mode if ready else "extractive"


def sidebar_filters(settings: Settings, documents):
    """Draw the search-scope controls; return (Filters or None, number of passages)."""
    import datetime as dt

    from qa.retrieve import Filters

    st.subheader("检索范围")
    options = speech_options(documents)
    if "speeches" in st.session_state:  # speeches may have gone with a re-ingest
        st.session_state.speeches = [d for d in st.session_state.speeches if d in options]
    chosen = st.multiselect("只在这些讲话中查找", options=list(options), format_func=options.get,
                            placeholder="全部讲话", key="speeches", select_all=False)
    date_from = date_to = None
    bounds = date_bounds(documents)
    if bounds:
        if st.checkbox("按发表日期筛选", key="use_dates",
                       help="日期是讲话稿在网上发表的日期，不是讲话的日期；未注明日期的讲话不在范围内"):
            lo, hi = dt.date.fromisoformat(bounds[0]), dt.date.fromisoformat(bounds[1])
            picked = st.date_input("发表日期", value=(lo, hi), min_value=lo, max_value=hi,
                                   key="dates")
            picked = picked if isinstance(picked, (tuple, list)) else (picked,)
            if picked:
                date_from, date_to = picked[0].isoformat(), picked[-1].isoformat()
    k = st.slider("引用段落数", min_value=1, max_value=10, value=settings.top_k, key="k",
                  help="每个回答最多引用的段落数")
    filters = Filters(doc_ids=tuple(chosen), date_from=date_from, date_to=date_to)
    return (filters if filters.active else None), k


def sidebar_corpus(index) -> None:
    figures = corpus_figures(index.documents(), index.chunks, index.catalog.ingested_at)
    st.subheader("语料")
    c1, c2 = st.columns(2)
    c1.metric("讲话", f"{figures.speeches} 篇")
    c2.metric("段落", f"{figures.chunks} 段")
    st.caption(f"最近导入：{figures.last_ingest}")


def sidebar_upload(settings: Settings, embedder, stores) -> None:
    from vectorstore.catalog import load_catalog

    st.subheader("上传讲话")
    files = st.file_uploader(
        f"添加讲话文件（.txt .md .html .docx .pdf，单个不超过 {uploads.MAX_UPLOAD_MB} MB）",
        accept_multiple_files=True, max_upload_size=uploads.MAX_UPLOAD_MB,
        key=f"uploader-{st.session_state.uploader}",
    )
    if files:
        folder = settings.data_dir / "uploads"
        saved = [uploads.save_upload(f.name, f.getvalue(), folder) for f in files]
        report, lines = ingest_saved_uploads(saved, settings, embedder, stores)
        if not lines:
            lines = uploads.result_lines(saved, report, load_catalog(settings.index_dir))
            uploads.discard_rejected(saved, report)
        st.session_state.upload_lines = lines
        st.session_state.uploader += 1  # a fresh uploader: the same files are not ingested again
        st.rerun()
    for ok, line in st.session_state.upload_lines:
        (st.success if ok else st.error)(md_literal(line))


def sidebar_conversation(answers, folder: Path) -> None:
    """Draw the saved conversations (open, rename, delete with confirmation) and the export."""
    st.subheader("对话")
    busy = st.session_state.inflight is not None
    current = st.session_state.conversation_id
    st.button("新对话", icon=":material/add_comment:", on_click=open_conversation,
              args=(folder, None), disabled=busy or not answers, width="stretch")
    for info in conversations.list_conversations(folder)[:LISTED_CONVERSATIONS]:
        st.button(info.title, key=f"open-{info.id}", width="stretch", disabled=busy,
                  type="primary" if info.id == current else "tertiary",
                  on_click=open_conversation, args=(folder, info.id))
    saved = any(i.id == current for i in conversations.list_conversations(folder))
    c1, c2, c3 = st.columns(3)
    with c1.popover("重命名", disabled=busy or not saved, width="stretch"):
        st.text_input("新名称", key="rename-text", max_chars=40)
        st.button("保存名称", on_click=rename_current, args=(folder, "rename-text"))
    with c2.popover("删除", disabled=busy or not saved, width="stretch"):
        st.caption("删除后无法恢复，确定删除当前对话吗？")
        st.button("确认删除", type="primary", on_click=delete_current, args=(folder,))
    c3.download_button(
        "导出对话", data=export.conversation_markdown(answers),
        file_name=export.export_file_name(), mime="text/markdown", disabled=not answers,
        help="下载 Markdown 文件，引用列为脚注",
        on_click="ignore", width="stretch",
    )

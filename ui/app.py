"""The Streamlit chat page: questions about the indexed speeches, answered with cited paragraphs.

Start it with `zwqa ui` (or `streamlit run ui/app.py`). The page calls qa and draws what comes
back; HTML and text formatting live in ui.render, Markdown export in ui.export, ratings in
ui.feedback and uploads in ui.uploads. Heavy resources are built once per process with
st.cache_resource; the chat model loads in a background thread, so the page can be used in
原文摘录 mode at once.
"""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # `streamlit run ui/app.py` puts only ui/ on sys.path
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from qa.answer import NEARBY  # noqa: E402
from ui import conversations, export, feedback, render, uploads  # noqa: E402
from ui.localise import localise_script  # noqa: E402
from ui.background import (  # noqa: E402
    LOADING, READY, BackgroundLoad, SerialGenerator, SerialRewriter, pump,
)
from vectorstore.settings import PROJECT_ROOT, Settings  # noqa: E402

TITLE = "政务服务讲话问答"
DEV_SET = PROJECT_ROOT / "data" / "eval" / "dev.jsonl"
LLM_SETTINGS = {"llm_path", "llm_base_url", "llm_model", "llm_api_key", "llm_ctx", "llm_threads"}


# -- heavy resources, built once per process ---------------------------------------------------


@st.cache_resource(show_spinner=False)
def get_embedder(model: str, batch_size: int, _settings: Settings):
    from ui.resources import build_embedder

    embedder = build_embedder(_settings)
    # Load the model now, off the page's thread, so the first question is not the one waiting.
    BackgroundLoad(lambda: embedder.dimension, name="zwqa-embedder-warmup")
    return embedder


@st.cache_resource(show_spinner=False)
def get_stores(chroma_url: str, index_dir: str, _settings: Settings, _embedder):
    from ui.resources import build_stores

    return build_stores(_settings, _embedder)


@st.cache_resource(show_spinner=False)
def get_llm(key: str, _settings: Settings) -> BackgroundLoad:
    """Return the background load of (generator, rewriter) sharing one model lock."""
    from ui.resources import build_llm

    def build():
        generator, rewriter = build_llm(_settings, strict=True)
        lock = threading.Lock()
        return SerialGenerator(generator, lock), SerialRewriter(rewriter, lock)

    return BackgroundLoad(build, name="zwqa-llm", unavailable_message="没有可用的大模型")


# One entry: an index holds a lease on its generation (vectorstore.leases), and an ingest removes
# an earlier generation only once no reader holds it.
@st.cache_resource(show_spinner=False, max_entries=1)
def get_index(index_dir: str, generation: int, _settings: Settings):
    from vectorstore.index import open_committed_index

    return open_committed_index(_settings.index_dir)


@st.cache_resource(show_spinner=False, max_entries=1)
def get_answerer(key: str, generation: int, with_llm: bool, _settings: Settings, _embedder,
                 _stores, _index, _llm_parts):
    from ui.resources import build_answerer

    generator, rewriter = _llm_parts if with_llm else (None, None)
    return build_answerer(_settings, _embedder, _stores, generator=generator, rewriter=rewriter,
                          index=_index)


# -- session state -----------------------------------------------------------------------------


def init_state() -> None:
    defaults = {
        "answers": [],  # list[vectorstore.records.Answer]
        "conversation": 0,  # bumped on switching, so widget keys of old answers are not reused
        "conversation_id": None,  # the saved file of this conversation (ui.conversations)
        # The question being answered, kept from the moment it is asked: {"question", "started",
        # "partial" (text streamed so far), "draft" (the quotes an LLM answer starts from)}.
        "inflight": None,
        "upload_lines": [],
        "uploader": 0,
        "rejected": None,  # (text, why) of a question refused before it was posted
        "mode_auto": True,  # the user has not picked a mode yet
    }
    for k, v in defaults.items():
        st.session_state.setdefault(k, v)


def open_conversation(folder: Path, conversation_id: str | None) -> None:
    """Show a saved conversation (None: a new, empty one) and put its id in the page's URL, so
    a reload comes back to it."""
    answers = conversations.load_conversation(folder, conversation_id) if conversation_id else None
    if answers is None:
        conversation_id, answers = conversations.new_id(), []
    st.session_state.answers = answers
    st.session_state.conversation_id = conversation_id
    st.session_state.conversation += 1
    st.session_state.inflight = None
    if answers:
        st.query_params["c"] = conversation_id
    else:
        st.query_params.pop("c", None)


def save_answers(folder: Path) -> None:
    """Write the current conversation to its file and name it in the URL."""
    answers = st.session_state.answers
    cid = st.session_state.conversation_id
    if answers and cid:
        conversations.save_conversation(folder, cid, answers)
        st.query_params["c"] = cid


def delete_current(folder: Path) -> None:
    conversations.delete_conversation(folder, st.session_state.conversation_id)
    open_conversation(folder, None)


def rename_current(folder: Path, key: str) -> None:
    conversations.rename_conversation(folder, st.session_state.conversation_id,
                                      st.session_state.get(key) or "")


def start_question(question: str) -> None:
    """Keep question in the session before anything is drawn: a rerun cannot lose it."""
    if question and question.strip() and st.session_state.inflight is None:
        st.session_state.inflight = {"question": question, "started": False, "partial": "",
                                     "draft": None}


def submit_question() -> None:
    """Start the typed question, or refuse it before it is posted (too long, no words), keeping
    its text for the input to offer again."""
    from qa.question import clean_question
    from vectorstore.errors import InvalidQuestion

    text = st.session_state.get("chat_box") or ""
    try:
        clean_question(text)
    except InvalidQuestion as e:
        st.session_state.rejected = (text, str(e))
        return
    start_question(text)


def regenerate(i: int) -> None:
    """Ask answer i's question again; an interrupted answer is replaced by the new one."""
    answers = st.session_state.answers
    if i >= len(answers) or st.session_state.inflight is not None:
        return
    answer = answers[i]
    if render.is_interrupted(answer):
        del answers[i]
        st.session_state.conversation += 1  # widget keys follow answer positions
    start_question(answer.question)


def on_feedback(i: int, key: str, data_dir: Path) -> None:
    """Save a 👍 at once; a 👎 is saved with its reason when that box is sent."""
    rating = feedback.rating_from_widget(st.session_state.get(key))
    answers = st.session_state.answers
    if rating == "up" and i < len(answers):
        feedback.save_feedback(feedback.feedback_folder(data_dir), answers[i], rating)
        st.toast("谢谢，反馈已记录。")


def on_reason(i: int, key: str, data_dir: Path) -> None:
    answers = st.session_state.answers
    if i < len(answers):
        feedback.save_feedback(feedback.feedback_folder(data_dir), answers[i], "down",
                               reason=st.session_state.get(key) or "")
        st.session_state[f"{key}-sent"] = True
        st.toast("谢谢，反馈已记录。")


# -- index --------------------------------------------------------------------------------------


def ensure_index(settings: Settings, embedder, stores) -> None:
    """Ingest the bundled corpus, with progress on the page, when there is no index yet."""
    from ingest.pipeline import run_ingest
    from vectorstore.errors import IngestBusy
    from ui.resources import ingest_options
    from vectorstore.catalog import current_generation

    if current_generation(settings.index_dir) is not None:
        return
    st.title(TITLE)
    st.info("首次启动：正在把自带的讲话语料导入索引，完成后即可提问。")
    with st.status("正在建立索引…", expanded=True) as status:
        bar = st.progress(0.0, text="读取并切分讲话…")

        def progress(done: int, total: int) -> None:
            if total:
                bar.progress(done / total, text=f"嵌入段落 {done}/{total}")

        try:
            report = run_ingest([settings.corpus_dir], ingest_options(settings), embedder, stores,
                                progress)
        except IngestBusy:
            status.update(label="另一个页面正在建立索引，请稍候…", state="running")
            time.sleep(3)
            st.rerun()
        status.update(label=f"索引已建立：{report.documents} 篇讲话，{report.chunks} 段，"
                            f"用时 {report.seconds} 秒", state="complete")
    st.rerun()


# -- sidebar ------------------------------------------------------------------------------------


def sidebar_mode(llm: BackgroundLoad) -> str:
    """Draw the answer-mode choice; return the mode to use ("llm" only when the model is ready)."""
    ready = llm.state == READY
    if not ready:
        st.session_state.mode = "extractive"
    elif st.session_state.mode_auto:
        st.session_state.mode = "llm"
    st.radio(
        "回答方式", options=["llm", "extractive"], format_func=render.MODE_LABELS.get, key="mode",
        horizontal=True, disabled=not ready,
        on_change=lambda: st.session_state.update(mode_auto=False),
    )
    if llm.state == LOADING:
        st.caption("生成回答：本地大模型加载中，可先用原文摘录提问。")
    elif not ready:
        st.caption(render.md_literal(f"生成回答不可用：{llm.error}"))
    else:
        st.caption("生成回答：大模型依据检索到的段落作答，每句标注来源；原文摘录：直接引用讲话原句。")
    return st.session_state.mode if ready else "extractive"


def sidebar_filters(settings: Settings, documents):
    """Draw the search-scope controls; return (Filters or None, number of passages)."""
    import datetime as dt

    from qa.retrieve import Filters

    st.subheader("检索范围")
    options = render.speech_options(documents)
    if "speeches" in st.session_state:  # speeches may have gone with a re-ingest
        st.session_state.speeches = [d for d in st.session_state.speeches if d in options]
    chosen = st.multiselect("只在这些讲话中查找", options=list(options), format_func=options.get,
                            placeholder="全部讲话", key="speeches", select_all=False)
    date_from = date_to = None
    bounds = render.date_bounds(documents)
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
    figures = render.corpus_figures(index.documents(), index.chunks, index.catalog.ingested_at)
    st.subheader("语料")
    c1, c2 = st.columns(2)
    c1.metric("讲话", f"{figures.speeches} 篇")
    c2.metric("段落", f"{figures.chunks} 段")
    st.caption(f"最近导入：{figures.last_ingest}")


def sidebar_upload(settings: Settings, embedder, stores) -> None:
    from vectorstore.errors import IndexCorrupt, IngestBusy
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
        report = None
        lines: list[tuple[bool, str]] = []
        if any(s.path for s in saved):
            with st.status("正在导入上传的文件…", expanded=True) as status:
                bar = st.progress(0.0, text="读取并切分讲话…")

                def progress(done: int, total: int) -> None:
                    if total:
                        bar.progress(done / total, text=f"嵌入段落 {done}/{total}")

                try:
                    report = uploads.ingest_uploads(saved, settings, embedder, stores, progress)
                    status.update(label=f"导入完成，用时 {report.seconds} 秒", state="complete")
                except (IngestBusy, IndexCorrupt) as e:
                    status.update(label="导入失败", state="error")
                    lines.append((False, str(e)))
        if not lines:
            lines = uploads.result_lines(saved, report, load_catalog(settings.index_dir))
            uploads.discard_rejected(saved, report)
        st.session_state.upload_lines = lines
        st.session_state.uploader += 1  # a fresh uploader: the same files are not ingested again
        st.rerun()
    for ok, line in st.session_state.upload_lines:
        (st.success if ok else st.error)(render.md_literal(line))


def sidebar_conversation(answers, folder: Path) -> None:
    """Draw the saved conversations (open, rename, delete with confirmation) and the export."""
    st.subheader("对话")
    busy = st.session_state.inflight is not None
    current = st.session_state.conversation_id
    st.button("新对话", icon=":material/add_comment:", on_click=open_conversation,
              args=(folder, None), disabled=busy or not answers, width="stretch")
    for info in conversations.list_conversations(folder)[:30]:
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


# -- chat ---------------------------------------------------------------------------------------


@st.dialog("讲话全文", width="large")
def speech_dialog(doc, chunk, highlights) -> None:
    st.markdown(f"**{render.md_literal(doc.title)}**")
    st.caption(render.md_literal(render.chunk_meta(chunk) + " · 高亮处为引用段落"))
    st.iframe(render.speech_html(doc, chunk.start, chunk.end, highlights), height=560)


def draw_card(index, chunk, highlights, label: str, anchor: str, key: str) -> None:
    with st.container(border=True):
        st.html(render.passage_card_html(chunk, highlights, label, anchor))
        if st.button("查看全文", key=key, icon=":material/article:"):
            doc = index.document(chunk.doc_id)
            if doc is None:
                st.error("这篇讲话已不在索引中。")
            else:
                speech_dialog(doc, chunk, highlights)


def draw_exchange(i: int, answer, index, data_dir: Path) -> None:
    conv = st.session_state.conversation
    with st.chat_message("user"):
        st.html(render.text_html(answer.question))
    with st.chat_message("assistant"):
        if answer.rewritten:
            st.caption(render.md_literal(f"理解为：{answer.rewritten}"))
        if answer.refused:
            st.warning(render.md_literal(answer.text), icon=":material/search_off:")
        else:
            st.html(render.answer_html(answer.text, i, [c.n for c in answer.citations]))
        if answer.citations:
            st.html(f'<div class="zwqa-label">{render.sources_label(answer.citations)}</div>')
            for c in answer.citations:
                draw_card(index, c.chunk, c.highlights, f"[{c.n}]", render.anchor_id(i, c.n),
                          key=f"full-{conv}-{i}-{c.n}")
        elif answer.refused and answer.retrieved:
            st.html('<div class="zwqa-label">可能相关</div>')
            for j, hit in enumerate(answer.retrieved[:NEARBY], start=1):
                draw_card(index, hit.chunk, (), f"{j}.", "", key=f"near-{conv}-{i}-{j}")
        st.caption(render.md_literal(render.answer_footer(answer)))
        busy = st.session_state.inflight is not None
        c1, c2, c3 = st.columns([1, 1, 4])
        with c1:
            key = f"feedback-{conv}-{i}"
            st.feedback("thumbs", key=key, on_change=on_feedback, args=(i, key, data_dir))
        with c2:
            st.html(render.copy_button_html(export.answer_markdown(answer, i + 1)),
                    unsafe_allow_javascript=True)
        c3.button("重新生成", key=f"regen-{conv}-{i}", icon=":material/refresh:",
                  on_click=regenerate, args=(i,), disabled=busy,
                  type="primary" if render.is_interrupted(answer) else "tertiary")
        reason_key = f"reason-{conv}-{i}"
        if st.session_state.get(key) == 0 and not st.session_state.get(f"{reason_key}-sent"):
            with st.form(f"form-{reason_key}", border=False):
                st.text_area("哪里不对？（可不填）", key=reason_key, max_chars=500, height=80)
                st.form_submit_button("提交反馈", on_click=on_reason,
                                      args=(i, reason_key, data_dir))


def draw_examples(documents) -> None:
    rows = render.load_dev_questions(DEV_SET)
    examples = render.example_questions(rows, {d.source for d in documents})
    if not examples:
        return
    st.markdown("**可以这样问：**")
    cols = st.columns(2)
    for j, q in enumerate(examples):
        cols[j % 2].button(q, key=f"example-{j}", on_click=start_question, args=(q,),
                           width="stretch")


def draw_draft(draft, index) -> None:
    """Draw the quotes an LLM answer starts from: text and citation cards, at once."""
    n = len(st.session_state.answers)
    st.html(render.answer_html(draft.text, n, [c.n for c in draft.citations]))
    for c in draft.citations:
        draw_card(index, c.chunk, c.highlights, f"[{c.n}]", render.anchor_id(n, c.n),
                  key=f"draft-{st.session_state.conversation}-{n}-{c.n}")


def keep_interrupted(folder: Path) -> None:
    """Keep a question whose answer a rerun cut off (the stop button, 查看全文, any click) in the
    history, with what was written so far, marked 已中断."""
    inflight = st.session_state.inflight
    if inflight is None or not inflight["started"]:
        return
    st.session_state.inflight = None
    st.session_state.answers.append(render.interrupted_answer(
        inflight["question"], inflight.get("mode", "extractive"), inflight["draft"],
        inflight["partial"]))
    save_answers(folder)


def stream_answer(events, index, rewritten, body, inflight: dict) -> object | None:
    """Draw the events of one answer as they come; return the final Answer (None if none)."""
    import itertools

    generated = status = None
    text, final = "", None
    dots = itertools.cycle(["…", "……", "………"])
    for ev in events:
        if ev is None:  # nothing new yet (the model is reading): a redraw lets 停止生成 act
            if status is not None:
                status.caption(f"正在生成{next(dots)}")
        elif ev.kind == "rewritten":
            rewritten.caption(render.md_literal(f"理解为：{ev.text}"))
        elif ev.kind == "retrieved":
            # How many passages were searched is not what the answer cites: no count here.
            body.caption("已找到相关讲话，正在组织回答…")
        elif ev.kind == "draft":
            inflight["draft"] = ev.answer
            with body.container():
                draw_draft(ev.answer, index)
                st.button("停止生成", icon=":material/stop_circle:", key="stop-generation")
                st.caption("原文摘录如上；大模型正在据此生成回答，核对引用后将替换摘录…")
                generated = st.empty()
                status = st.empty()
        elif ev.kind == "token":
            text += ev.text
            inflight["partial"] = text
            target = generated if generated is not None else body
            target.html(render.answer_html(text, len(st.session_state.answers)))
        elif ev.kind == "progress" and status is not None:
            # Also the point where a click on 停止生成 takes effect (at the next page call).
            status.caption(f"正在生成{next(dots)}")
        elif ev.kind == "done":
            final = ev.answer
    return final


def ask(question: str, answerer, mode: str, filters, k: int, index, folder: Path) -> None:
    """Stream the answer to question onto the page, then keep it in the history and redraw.

    In LLM mode the quotes appear first with a stop button; the generated answer streams under
    them and takes their place once its citations are checked."""
    from vectorstore.errors import InvalidQuestion

    answers = st.session_state.answers
    inflight = st.session_state.inflight
    inflight.update(started=True, mode=mode)
    with st.chat_message("user"):
        st.html(render.text_html(question))
    with st.chat_message("assistant"):
        rewritten = st.empty()
        body = st.empty()
        body.caption("正在检索讲话…")
        # Stopping (停止生成, any click) hands the model over to the next question at once.
        events = pump(answerer.stream(question, render.conversation_history(answers), mode,
                                      filters, k),
                      on_stop=getattr(answerer.generator, "stop_current", None))
        try:
            final = stream_answer(events, index, rewritten, body, inflight)
        except InvalidQuestion as e:
            st.session_state.inflight = None
            body.warning(str(e))
            return
        except ValueError as e:  # e.g. the chat model went away
            st.session_state.inflight = None
            body.error(render.md_literal(str(e)))
            return
        except Exception as e:  # keep the page usable; the log has the traceback
            import logging

            logging.getLogger(__name__).exception("answering %r failed", question)
            st.session_state.inflight = None
            body.error(render.md_literal(f"回答时出错：{e}。请重试，或改用原文摘录。"))
            return
        finally:
            # A rerun (the stop button, a new question) ends this run at the next page call:
            # close the stream so the model stops writing and is free for the next question.
            events.close()
    st.session_state.inflight = None
    if final is None:
        return
    if filters is not None:
        final.notes.append("已按侧栏的检索范围筛选")
    answers.append(final)
    save_answers(folder)
    st.rerun()


def main() -> None:
    st.set_page_config(page_title=TITLE, page_icon=":material/account_balance:", layout="wide")
    from vectorstore.errors import (ChromaUnavailable, EmbeddingModelMissing, IndexCorrupt,
                                    IndexMissing)
    from vectorstore.catalog import current_generation

    init_state()
    settings = Settings()
    folder = conversations.conversations_folder(settings.data_dir)
    if st.session_state.conversation_id is None:  # a new session: the URL names what to show
        open_conversation(folder, st.query_params.get("c"))
    keep_interrupted(folder)  # a run that ended mid-answer left its question here
    handed_over = st.session_state.pop("ask_next", None)  # 查政策's 问这个
    if handed_over:
        start_question(handed_over)
    st.html(render.PAGE_CSS)
    st.html(localise_script(), unsafe_allow_javascript=True)  # Streamlit's own strings in Chinese
    key = settings.model_dump_json()
    try:
        embedder = get_embedder(settings.embed_model, settings.embed_batch_size, settings)
        stores = get_stores(settings.chroma_url, str(settings.index_dir), settings, embedder)
        ensure_index(settings, embedder, stores)
        generation = current_generation(settings.index_dir)
        index = get_index(str(settings.index_dir), generation, settings)
        llm = get_llm(settings.model_dump_json(include=LLM_SETTINGS), settings)
        with_llm = llm.state == READY
        answerer = get_answerer(key, generation, with_llm, settings, embedder, stores, index,
                                llm.value if with_llm else None)
    except (IndexMissing, IndexCorrupt, ChromaUnavailable, EmbeddingModelMissing) as e:
        st.title(TITLE)
        st.error(render.md_literal(str(e)))
        st.stop()

    documents = index.documents()
    answers = st.session_state.answers
    with st.sidebar:
        st.header("设置")
        mode = sidebar_mode(llm)
        filters, k = sidebar_filters(settings, documents)
        sidebar_corpus(index)
        sidebar_upload(settings, embedder, stores)
        sidebar_conversation(answers, folder)

    if llm.state == LOADING:
        @st.fragment(run_every=2.0)
        def watch_llm() -> None:  # redraw the page once the model is ready (or has failed)
            if llm.state != LOADING:
                st.rerun(scope="app")

        watch_llm()

    st.title(TITLE)
    st.caption("回答只依据已收录的讲话，每处引用都能展开原文段落核对。")
    if not index.chunks:
        st.info("索引中还没有讲话：请在左侧上传讲话文件。")
        return
    for i, answer in enumerate(answers):
        draw_exchange(i, answer, index, settings.data_dir)
    rejected = st.session_state.rejected
    st.session_state.rejected = None
    if rejected:  # shown above the input, which holds the text again for editing
        st.warning(render.md_literal(rejected[1]), icon=":material/edit_note:")
        st.session_state.chat_box = rejected[0]
    # The input is pinned to the bottom wherever it is called; it is closed while an answer is
    # being written (its on_submit has already kept a new question in st.session_state).
    st.chat_input("请输入问题，例如：“四强”党支部指的是哪四个方面强？", key="chat_box",
                  on_submit=submit_question, disabled=st.session_state.inflight is not None)
    inflight = st.session_state.inflight
    if not answers and inflight is None:
        draw_examples(documents)
    if inflight is not None:
        ask(inflight["question"], answerer, mode, filters, k, index, folder)


main()

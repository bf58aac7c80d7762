"""The 查政策 page: every mention of a policy term in the speeches, and the glossary.

A page of ui/chat/main_page.py's navigation. It reads the committed index only (no embedding
model); "问这个" hands the term to the 问答 page, which asks it first (st.session_state.ask_next).
"""
from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # `streamlit run` puts only ui/chat/ on sys.path
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from ui.chat import lookup_render, render  # noqa: E402
from ui.chat.cards import card_with_full_text, speech_dialog  # noqa: E402
from vectorstore.settings import Settings  # noqa: E402

MAX_CARDS = 200  # mentions drawn per lookup; the counts always cover all of them


@st.cache_resource(show_spinner=False, max_entries=4)
def get_lookup(index_dir: str, generation: int):
    from ui.lookup_resources import build_term_lookup

    return build_term_lookup(index_dir=Path(index_dir))


def draw_mention(lookup, mention, title: str, date, label: str, key: str) -> None:
    """Draw a mention's card; 查看全文 shows its speech with the sentence marked."""
    caption = (mention.section_path or "（开篇）") + " · 高亮处为该术语所在句"
    card_with_full_text(
        lookup_render.mention_card_html(mention, title, date, label), lookup.document,
        mention.doc_id, key,
        lambda doc: speech_dialog(doc, caption, mention.sentence_start, mention.sentence_end,
                                  [mention.highlight]),
    )


def ask_chat(term: str) -> None:
    st.session_state.ask_next = lookup_render.ask_about(term)  # the 问答 page asks it first
    st.switch_page("app.py")


def draw_result(lookup, result) -> None:
    if result.definition is not None:
        doc = lookup.document(result.definition.doc_id)
        st.html('<div class="zwqa-label">定义</div>')
        draw_mention(lookup, result.definition, doc.title if doc else "", doc.date if doc else None,
                     "", "def-full")
    if not result.speeches:
        st.warning(render.md_literal(f"讲话中没有出现“{result.term}”。"), icon=":material/search_off:")
        if result.suggestions:
            st.caption("您是不是要找：")
            cols = st.columns(min(4, len(result.suggestions)))
            for i, s in enumerate(result.suggestions):
                cols[i % len(cols)].button(s, key=f"suggest-{i}", on_click=_set_term, args=(s,))
        return
    st.markdown(render.md_literal(
        f"“{result.term}”共出现 {result.total} 次，见于 {len(result.speeches)} 篇讲话。"))
    if st.button("问这个", key="ask-term", icon=":material/forum:"):
        ask_chat(result.term)
    drawn = 0
    for si, speech in enumerate(result.speeches):
        with st.expander(f"《{speech.title}》 {speech.count} 次", expanded=si < 3):
            for mi, m in enumerate(speech.mentions):
                if drawn >= MAX_CARDS:
                    break
                draw_mention(lookup, m, speech.title, speech.date, f"{mi + 1}.", f"full-{si}-{mi}")
                drawn += 1
    if drawn < result.total:
        st.caption(f"只列出前 {drawn} 处，完整列表请用 `zwqa lookup {result.term} --json`。")


def draw_suggestions(lookup, typed: str) -> None:
    """Draw the glossary terms that start with or contain what was typed, as buttons."""
    terms = [t for t in lookup.suggest(typed, 8) if t != typed]
    if not terms:
        return
    cols = st.columns(len(terms))
    for i, t in enumerate(terms):
        cols[i].button(t, key=f"complete-{i}", on_click=_set_term, args=(t,), type="tertiary")


def _set_term(term: str) -> None:
    st.session_state.lookup_term = term


def main() -> None:
    from qa.lookup import glossary_row
    from vectorstore.errors import IndexCorrupt, IndexMissing
    from vectorstore.catalog import current_generation

    st.html(render.PAGE_CSS)
    st.title("查政策")
    st.caption("查找术语在讲话中的每一处出现，先给出讲话中的定义。")
    settings = Settings()
    try:
        generation = current_generation(settings.index_dir)
        if generation is None:
            raise IndexMissing("尚未建立索引：请先打开“问答”页面导入讲话，或运行 `zwqa ingest`。")
        lookup = get_lookup(str(settings.index_dir), generation)
    except (IndexMissing, IndexCorrupt) as e:
        st.error(render.md_literal(str(e)))
        st.stop()

    find, glossary = st.tabs(["查找", "术语表"])
    with find:
        term = st.text_input("术语", key="lookup_term",
                             placeholder="输入术语，如 一窗受理、321608、好差评").strip()
        if term:
            draw_suggestions(lookup, term)
            draw_result(lookup, lookup.lookup(term))
    with glossary:
        defined = st.toggle("只看有定义的术语", value=True, key="defined_only")
        rows = [glossary_row(e, d, lookup) for e, d in lookup.glossary(defined_only=defined)]
        st.caption(f"{len(rows)} 个术语；点击列名排序。")
        st.dataframe(lookup_render.glossary_table(rows), hide_index=True, width="stretch",
                     key="glossary")


main()

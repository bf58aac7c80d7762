"""Passage cards with a 查看全文 button that opens the whole speech in a dialog, for the 问答
and 查政策 pages."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui.chat.render import chunk_meta, md_literal, passage_card_html, speech_html

DIALOG_HEIGHT = 560  # pixels of the speech shown in the dialog (it scrolls)


@st.dialog("讲话全文", width="large")
def speech_dialog(doc, caption: str, start: int, end: int, highlights) -> None:
    """Show the whole speech, doc.text[start:end] marked and scrolled into view."""
    st.markdown(f"**{md_literal(doc.title)}**")
    st.caption(md_literal(caption))
    st.iframe(speech_html(doc, start, end, highlights), height=DIALOG_HEIGHT)


def card_with_full_text(card_html: str, find_document: Callable, doc_id: str, key: str,
                        open_speech: Callable) -> None:
    """Draw a card whose 查看全文 button calls open_speech with the speech doc_id, or says the
    speech has left the index."""
    with st.container(border=True):
        st.html(card_html)
        if st.button("查看全文", key=key, icon=":material/article:"):
            doc = find_document(doc_id)
            if doc is None:
                st.error("这篇讲话已不在索引中。")
            else:
                open_speech(doc)


def draw_card(index, chunk, highlights, label: str, anchor: str, key: str) -> None:
    """Draw a passage's card; 查看全文 shows its speech with the passage marked."""
    caption = chunk_meta(chunk) + " · 高亮处为引用段落"
    card_with_full_text(
        passage_card_html(chunk, highlights, label, anchor), index.document, chunk.doc_id, key,
        lambda doc: speech_dialog(doc, caption, chunk.start, chunk.end, highlights),
    )

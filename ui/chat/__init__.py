"""The Streamlit chat: the 问答 page (app.py) and the 查政策 page (lookup_page.py) under
main_page.py's navigation, served by `zwqa ui` through server.py's Host check. Pure HTML and
text helpers (render, answers, corpus_facts, export, lookup_render) import no Streamlit."""

"""Pure drawing helpers for the 查政策 page: mention cards and glossary rows (no Streamlit)."""
from __future__ import annotations

from ui.chat.render import esc, format_date, highlight_html


def mention_card_html(mention, title: str, date: str | None = None, label: str = "") -> str:
    """Return a card: title, section path and date, the sentence with the term highlighted."""
    meta = " · ".join(b for b in (mention.section_path or "（开篇）", format_date(date) if date else "",
                                  f"第 {mention.start} 字") if b)
    label_html = f'<span class="zwqa-n">{esc(label)}</span>' if label else ""
    return (
        '<div class="zwqa-card">'
        f'<div class="zwqa-card-head">{label_html}《{esc(title)}》</div>'
        f'<div class="zwqa-meta">{esc(meta)}</div>'
        f'<div class="zwqa-para">{highlight_html(mention.sentence, [mention.highlight])}</div>'
        "</div>"
    )


def glossary_table(rows: list[dict]) -> dict[str, list]:
    """Return the glossary as table columns (Chinese headers) for st.dataframe."""
    return {
        "术语": [r["term"] for r in rows],
        "定义": [r["definition"] or "" for r in rows],
        "讲话数": [r["speeches"] for r in rows],
        "出现次数": [r["mentions"] for r in rows],
    }


def ask_about(term: str) -> str:
    """Return the chat question the 问这个 button asks about a term."""
    return f"“{term}”是什么？"

"""Request bodies of the HTTP API; unknown fields are refused (extra="forbid")."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextPart(Strict):
    type: Literal["text"]
    text: str


class ChatMessage(Strict):
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart] | None = None
    name: str | None = None

    def text(self) -> str:
        """Return the message's text (text parts joined)."""
        if isinstance(self.content, list):
            return "".join(p.text for p in self.content)
        return self.content or ""


class SearchFilters(Strict):
    """Which speeches and dates may be searched (see qa.retrieve.Filters)."""

    doc_ids: list[str] = Field(default_factory=list, max_length=200)
    titles: list[str] = Field(default_factory=list, max_length=50)
    date_from: str | None = None
    date_to: str | None = None


class StreamOptions(Strict):
    include_usage: bool = False


class ChatRequest(Strict):
    """POST /v1/chat/completions. OpenAI sampling options are accepted and have no effect
    (answers are quoted or generated greedily); k and filters are zwqa's own."""

    model: str
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int | None = Field(default=None, ge=1, le=1)
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    seed: int | None = None
    user: str | None = None
    k: int | None = Field(default=None, ge=1, le=20)
    filters: SearchFilters | None = None


class SearchRequest(Strict):
    """POST /v1/search."""

    query: str
    k: int = Field(default=5, ge=1, le=50)
    filters: SearchFilters | None = None

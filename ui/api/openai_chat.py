"""OpenAI chat-completion shapes: messages → (question, history), an Answer → response/chunks."""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence

from qa.serialize import citation_to_dict
from vectorstore.errors import ApiError
from vectorstore.records import Answer

MODEL_MODES = {"zwqa-extractive": "extractive", "zwqa-llm": "llm"}


def question_and_history(messages: Sequence) -> tuple[str, list[tuple[str, str]]]:
    """Return the last user message and the earlier (question, answer) pairs.

    System/developer messages are ignored (the answer rules are zwqa's own); a user message
    followed by an assistant message makes one history pair. Raises ApiError when the last
    message is not from the user or is empty."""
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise ApiError(400, "最后一条消息必须是用户的问题（role 为 user）", "invalid_messages",
                       "messages")
    question = turns[-1].text().strip()
    if not question:
        raise ApiError(400, "问题不能为空", "empty_question", "messages")
    history = []
    for asked, answered in zip(turns[:-1], turns[1:-1]):
        if asked.role == "user" and answered.role == "assistant":
            history.append((asked.text(), answered.text()))
    return question, history


def new_completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def zwqa_fields(answer: Answer) -> dict:
    """Return what zwqa adds to OpenAI's response: citations, refused, rewritten, notes."""
    return {
        "citations": [citation_to_dict(c) for c in answer.citations],
        "refused": answer.refused,
        "rewritten": answer.rewritten,
        "notes": list(answer.notes),
    }


def completion(answer: Answer, model: str, completion_id: str | None = None) -> dict:
    """Return a chat.completion object for the answer (the answer text carries its [n])."""
    return {
        "id": completion_id or new_completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": answer.text, "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }],
        **zwqa_fields(answer),
    }


def chunk(completion_id: str, model: str, delta: dict, finish_reason: str | None = None,
          extra: dict | None = None) -> str:
    """Return one server-sent event holding a chat.completion.chunk."""
    body = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
        **(extra or {}),
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


DONE = "data: [DONE]\n\n"


def stream_events(first, events, model: str):
    """Yield the SSE text of a streamed answer: the role, each text piece, then a last chunk
    with finish_reason "stop" that also carries citations, refused and the final answer text
    (an LLM answer whose unsupported citations were removed differs from the streamed text)."""
    completion_id = new_completion_id()
    yield chunk(completion_id, model, {"role": "assistant", "content": ""})
    for event in _chain(first, events):
        if event.kind == "token" and event.text:
            yield chunk(completion_id, model, {"content": event.text})
        elif event.kind == "done":
            answer = event.answer
            yield chunk(completion_id, model, {}, "stop",
                        {"answer": answer.text, **zwqa_fields(answer)})
    yield DONE


def _chain(first, rest):
    yield first
    yield from rest

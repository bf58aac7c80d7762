"""An answerer that follows the committed index: a long-lived reader (`zwqa ask --batch`, the
chat) keeps answering while an ingest rebuilds or updates the index next to it."""
from __future__ import annotations

from collections.abc import Callable

from vectorstore.catalog import current_generation
from vectorstore.settings import Settings


def _lost_collection_errors() -> tuple[type[BaseException], ...]:
    """Return the errors of a question whose generation was removed under it."""
    errors: list[type[BaseException]] = [KeyError]  # a vector gone between search and rerank
    try:
        from chromadb.errors import InternalError, NotFoundError

        # NotFoundError: the collection was dropped; InternalError ("Error finding id"): vectors
        # were deleted between the dense search and reading them back for the rerank.
        errors += [NotFoundError, InternalError]
    except ImportError:
        pass
    return tuple(errors)


class CurrentAnswerer:
    """Answers each question from the generation committed when it is asked.

    Re-opens the index when CURRENT names a newer generation (releasing the old one, whose
    leftovers it then removes if no ingest is running), and retries a question once on the
    current generation when the one it started on disappeared mid-question."""

    def __init__(self, settings: Settings, embedder, stores, llm=None,
                 build: Callable | None = None, index=None):
        from qa.system import build_answerer

        self.settings = settings
        self.embedder = embedder
        self.stores = stores
        self.generator, self.rewriter = llm or (None, None)
        self._build = build or build_answerer
        self._answerer = None
        self.generation: int | None = None
        self.reopened = 0  # how many times a newer generation was opened
        self._open(index)

    def _open(self, index=None) -> None:
        from vectorstore.index import open_committed_index

        first = self._answerer is None and self.generation is None
        self._answerer = None  # release the old generation's lease before sweeping
        index = index or open_committed_index(self.settings.index_dir)
        self._answerer = self._build(self.settings, self.embedder, self.stores,
                                     generator=self.generator, rewriter=self.rewriter, index=index)
        self.generation = index.catalog.generation
        if not first:
            self.reopened += 1
            sweep_earlier_generations(self.settings, self.stores, index)

    def current(self):
        """Return the answerer of the committed generation (re-opened if it changed)."""
        if current_generation(self.settings.index_dir) != self.generation:
            self._open()
        return self._answerer

    def answer(self, question: str, **kwargs):
        """Return answerer.answer(question, **kwargs) on the committed generation."""
        try:
            return self.current().answer(question, **kwargs)
        except _lost_collection_errors():
            self._open()
            return self._answerer.answer(question, **kwargs)


def sweep_earlier_generations(settings: Settings, stores, index) -> None:
    """Remove earlier generations nobody holds, unless an ingest is running (it will)."""
    from ingest.pipeline import index_lock
    from vectorstore.errors import IngestBusy
    from vectorstore.cleanup import retire_earlier_generations

    try:
        with index_lock(settings.index_dir):
            if current_generation(settings.index_dir) != index.catalog.generation:
                return  # a newer generation was committed meanwhile: its ingest cleaned up
            retire_earlier_generations(settings.index_dir, stores, settings.collection,
                                       index.catalog.collection, index.catalog.generation,
                                       {c.id for c in index.chunks})
    except (IngestBusy, OSError):
        pass  # busy, or a read-only copy of the index: the ingesting machine cleans up

"""The ingest options one Settings object implies, for every interface, test and benchmark."""
from __future__ import annotations

from vectorstore.settings import Settings


def ingest_options(settings: Settings, prune: bool = False, rebuild: bool = False):
    """Return the ingest.pipeline.IngestOptions the settings imply."""
    from ingest.pipeline import IngestOptions

    return IngestOptions(
        index_dir=settings.index_dir,
        corpus_dir=settings.corpus_dir,
        collection=settings.collection,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        prune=prune,
        rebuild=rebuild,
    )

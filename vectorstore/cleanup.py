"""Removes what earlier generations left behind, once no reader holds them.

Run by an ingest right after it commits (it holds the index lock), and by a reader that has
just moved to a newer generation (under the same lock, taken without waiting). Everything is
left in place while any reader still holds an earlier generation: the next run removes it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from vectorstore.leases import finish_retire, leased_generations, try_retire


def earlier_generations(index_dir: Path, current: int) -> list[int]:
    """Return every generation on disk (state folder or lease file) other than current."""
    states = Path(index_dir) / "state"
    gens = {int(p.name) for p in states.iterdir() if p.name.isdigit()} if states.is_dir() else set()
    gens.update(leased_generations(index_dir))
    gens.discard(current)
    return sorted(gens)


def retire_earlier_generations(index_dir: Path, stores, prefix: str, collection: str,
                               generation: int, keep_ids: set[str]) -> int | None:
    """Remove earlier generations' state folders, their collections (`<prefix>-g*` other than
    collection), vectors of the committed collection not among keep_ids, and Chroma folders
    of deleted collections — all only if no reader holds an earlier generation.

    Return the number of vectors deleted, or None when a reader still holds one (nothing
    removed). The caller must hold the index lock, so no ingest writes meanwhile."""
    retiring = []
    for gen in earlier_generations(index_dir, generation):
        fd = try_retire(index_dir, gen)
        if fd is None:
            for g, held in retiring:
                finish_retire(index_dir, g, held)  # nothing removed: drop our own lock files
            return None
        retiring.append((gen, fd))
    try:
        store = stores.open_existing(collection)
        stale = [i for i in store.ids() if i not in keep_ids]
        if stale:
            store.delete_ids(stale)
        for name in stores.names():
            if name.startswith(f"{prefix}-g") and name != collection:
                stores.drop(name)
        stores.remove_orphan_folders()
        for gen, _ in retiring:
            shutil.rmtree(Path(index_dir) / "state" / str(gen), ignore_errors=True)
    finally:
        for gen, fd in retiring:
            finish_retire(index_dir, gen, fd)
    return len(stale)

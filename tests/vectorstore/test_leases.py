"""Reader leases: an earlier generation (its state, collection and replaced vectors) is removed
only when no reader holds it (pure logic, fake Chroma)."""
from pathlib import Path

from vectorstore.cleanup import retire_earlier_generations
from vectorstore.leases import Lease, lease_path


class FakeStore:
    def __init__(self, ids):
        self._ids = set(ids)

    def ids(self):
        return set(self._ids)

    def delete_ids(self, ids):
        self._ids -= set(ids)


class FakeStores:
    def __init__(self, collections):
        self.collections = {name: FakeStore(ids) for name, ids in collections.items()}
        self.orphan_sweeps = 0

    def open_existing(self, name):
        return self.collections[name]

    def names(self):
        return list(self.collections)

    def drop(self, name):
        self.collections.pop(name, None)

    def remove_orphan_folders(self):
        self.orphan_sweeps += 1
        return []


def make_generations(index_dir: Path, *gens: int) -> None:
    for g in gens:
        (index_dir / "state" / str(g)).mkdir(parents=True)


def test_held_generation_is_left_in_place_until_released(tmp_path):
    make_generations(tmp_path, 1, 2)
    stores = FakeStores({"speeches-g1": ["a", "b"], "speeches-g2": ["b", "c", "old"]})
    reader = Lease(tmp_path, 1)
    assert reader.held

    assert retire_earlier_generations(tmp_path, stores, "speeches", "speeches-g2", 2, {"b", "c"}) is None
    assert sorted(p.name for p in (tmp_path / "state").iterdir()) == ["1", "2"]
    assert sorted(stores.names()) == ["speeches-g1", "speeches-g2"]
    assert stores.collections["speeches-g2"].ids() == {"b", "c", "old"}

    reader.release()
    assert retire_earlier_generations(tmp_path, stores, "speeches", "speeches-g2", 2, {"b", "c"}) == 1
    assert [p.name for p in (tmp_path / "state").iterdir()] == ["2"]
    assert stores.names() == ["speeches-g2"]
    assert stores.collections["speeches-g2"].ids() == {"b", "c"}
    assert stores.orphan_sweeps == 1
    assert not lease_path(tmp_path, 1).exists()


def test_lease_of_the_current_generation_does_not_block_cleanup(tmp_path):
    make_generations(tmp_path, 3)
    stores = FakeStores({"speeches-g3": ["a", "stale"], "speeches-g2": ["x"]})  # g2: a killed rebuild
    reader = Lease(tmp_path, 3)
    assert retire_earlier_generations(tmp_path, stores, "speeches", "speeches-g3", 3, {"a"}) == 1
    assert stores.names() == ["speeches-g3"]
    assert reader.held and lease_path(tmp_path, 3).exists()


def test_read_only_index_folder_gives_an_unheld_lease(tmp_path):
    (tmp_path / "leases").write_text("不是文件夹")  # the lock folder cannot be made
    assert not Lease(tmp_path, 1).held

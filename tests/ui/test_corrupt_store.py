"""A page overwritten inside the embedded store's chroma.sqlite3: `zwqa ask` says to rebuild
(no traceback), and `zwqa ingest --rebuild` moves the damaged store aside as
chroma.corrupt-<time>, says so and rebuilds, after which questions are answered again."""
import os
from pathlib import Path

import pytest

from vectorstore.chroma_client import embedded_store_damage

pytestmark = pytest.mark.slow

SMALL = Path(__file__).resolve().parents[1] / "data" / "hardening_corpus"
QUESTION = "热线紧急诉求多长时间内响应？"


def overwrite_middle_page(db_file: Path) -> None:
    size = db_file.stat().st_size
    with open(db_file, "r+b") as f:
        f.seek((size // 2) // 4096 * 4096)
        f.write(b"\xa5" * 4096)


def test_damaged_store_is_named_then_set_aside_by_rebuild(zwqa_cli, tmp_path):
    index_dir = tmp_path / "index"
    assert zwqa_cli.run(["ingest", str(SMALL)], index_dir, SMALL).returncode == 0
    overwrite_middle_page(index_dir / "chroma" / "chroma.sqlite3")
    assert embedded_store_damage(index_dir / "chroma")  # the damage is real

    ask = zwqa_cli.run(["ask", QUESTION], index_dir, SMALL)
    assert ask.returncode == 2 and "Traceback" not in ask.stderr, ask.stderr[-3000:]
    assert "zwqa ingest --rebuild" in ask.stderr

    rebuild = zwqa_cli.run(["ingest", "--rebuild", str(SMALL)], index_dir, SMALL)
    assert rebuild.returncode == 0, rebuild.stderr[-3000:]
    (aside,) = index_dir.glob("chroma.corrupt-*")
    assert str(aside) in rebuild.stderr and "重建" in rebuild.stderr
    assert (aside / "chroma.sqlite3").exists()
    assert embedded_store_damage(index_dir / "chroma") is None

    again = zwqa_cli.run(["ask", "--json", QUESTION], index_dir, SMALL)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "热线" in again.stdout


def test_check_reads_a_whole_store_as_whole(tmp_path):
    assert embedded_store_damage(tmp_path / "absent") is None
    folder = tmp_path / "chroma"
    folder.mkdir()
    (folder / "chroma.sqlite3").write_bytes(os.urandom(8192))
    assert embedded_store_damage(folder)  # not a database at all

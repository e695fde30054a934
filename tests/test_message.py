"""The phone form's message format: a data block that survives what WhatsApp does to text, and refuses damage."""

from __future__ import annotations

import base64
import json
import re
import zlib
from typing import Any

import pytest

from generator.intake.message import BLOCK_END, BLOCK_START, MAX_PAYLOAD_BYTES, MessageError, decode_block, encode_block, read_message
from tests.conftest import whatsapp

PAYLOAD: dict[str, Any] = {
    "v": 1,
    "jenis": "daftar",
    "ubah": [
        [["nama"], "Keripik *Pedas* _Mantap_ ~Ori~"],
        [["kontak", "instagram"], "keripik_pedas_mantap"],
        [["produk", ["nama", "Keripik \"Balado\""], "harga"], "18000"],
        [["sertifikasi", ["jenis", "pirt"], "produk"], ["Keripik 'Balado'", "Rempeyek"]],
    ],
    "cerita": "Baris satu.\n\n\n> kutipan\n- daftar\n1. nomor\n```kode```",
    "setuju": [1, 2, 3],
    "dibuat": "2026-11-28",
}


def message(payload: dict[str, Any] = PAYLOAD, *, compress: bool = True) -> str:
    return f"Halo Dinas, saya ingin mendaftarkan usaha *Keripik*.\n\nBagian di bawah ini dibaca otomatis.\n{encode_block(payload, compress=compress)}\n"


@pytest.mark.parametrize("compress", [True, False])
def test_the_block_reads_back_whole(compress: bool) -> None:
    assert decode_block(message(compress=compress)) == PAYLOAD


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("width", [7, 23, 64])
def test_the_block_survives_whatsapp(compress: bool, width: int) -> None:
    mangled = whatsapp(message(compress=compress), width)
    assert width > 25 or BLOCK_START not in mangled  # narrow: the markers themselves were wrapped and decorated
    assert decode_block(mangled) == PAYLOAD


def test_markers_stripped_from_the_human_part_change_nothing() -> None:
    text = message().replace("*Keripik*", "Keripik")
    assert decode_block(text) == PAYLOAD


def test_the_block_uses_no_character_whatsapp_touches() -> None:
    block = encode_block(PAYLOAD)
    inner = block.split("\n")[1:-1]
    assert all(re.fullmatch(r"[A-Z2-7]{1,64}", line) for line in inner)
    assert block.startswith(BLOCK_START) and block.endswith(BLOCK_END)


@pytest.mark.parametrize("damage", ["drop", "change", "add"])
def test_a_damaged_block_is_refused_with_a_clear_message(damage: str) -> None:
    text = message()
    lines = text.splitlines()
    where = next(i for i, line in enumerate(lines) if line == BLOCK_START) + 2
    line = lines[where]
    lines[where] = {"drop": line[:10] + line[11:], "change": line[:10] + ("A" if line[10] != "A" else "B") + line[11:], "add": line + "Q"}[damage]
    with pytest.raises(MessageError) as caught:
        decode_block("\n".join(lines))
    assert str(caught.value).startswith("blok data rusak (")
    assert "Salin ulang seluruh pesan dari WhatsApp" in str(caught.value)


def test_a_cut_off_message_and_one_without_a_block_are_told_apart() -> None:
    text = message()
    with pytest.raises(MessageError, match="blok data terpotong: tanda \\[AKHIR DATA KATALOG UMKM\\] tidak ada"):
        decode_block(text[: text.index(BLOCK_END)])
    with pytest.raises(MessageError, match="tidak ada blok data formulir"):
        decode_block("Halo, saya mau daftar. Nama usaha: Keripik Pedas")


def test_a_block_that_inflates_beyond_the_limit_is_refused() -> None:
    data = json.dumps({"v": 1, "x": "a" * (MAX_PAYLOAD_BYTES + 10)}).encode()
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    frame = b"U\x01\x01" + zlib.crc32(data).to_bytes(4, "big") + packer.compress(data) + packer.flush()
    letters = base64.b32encode(frame).decode().rstrip("=")
    with pytest.raises(MessageError, match="terlalu besar"):
        decode_block(f"{BLOCK_START}\n{letters}\n{BLOCK_END}")


@pytest.mark.parametrize(
    ("payload", "wrong"),
    [
        ({"v": 2, "jenis": "daftar"}, "versi"),
        ({"v": 1, "jenis": "hapus"}, "jenis"),
        ({"v": 1, "jenis": "perbarui", "slug": "../etc"}, "alamat halaman usaha"),
        ({"v": 1, "jenis": "daftar", "ubah": [[["nama"], {"a": 1}]]}, "nilai"),
        ({"v": 1, "jenis": "daftar", "ubah": [[[1, 2], "x"]]}, "jalur kolom"),
        ({"v": 1, "jenis": "daftar", "foto": [{"ke": ["foto"], "nama": "a.jpg"}]}, "foto"),
        ({"v": 1, "jenis": "daftar", "setuju": [True]}, "persetujuan"),
    ],
)
def test_a_block_not_shaped_like_the_forms_is_refused(payload: dict[str, Any], wrong: str) -> None:
    with pytest.raises(MessageError, match=f"tidak sesuai format formulir \\({re.escape(wrong)}"):
        read_message(message(payload))


def test_read_message_types_the_payload() -> None:
    read = read_message(whatsapp(message()))
    assert read.kind == "daftar" and read.consent == frozenset({1, 2, 3}) and read.composed == "2026-11-28"
    assert read.changes[2] == (("produk", ("nama", 'Keripik "Balado"'), "harga"), "18000")
    assert read.changes[3][1] == ("Keripik 'Balado'", "Rempeyek")

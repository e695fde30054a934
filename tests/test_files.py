"""core/files.py: a reader sees the old file or folder or the whole new one, never half of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core import files
from generator.core.files import swap_in, write_atomic


def test_write_atomic_writes_bytes_text_and_a_writer(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a" / "b.bin", b"\x00\x01")
    write_atomic(tmp_path / "c.txt", "Cibitung ✓")
    write_atomic(tmp_path / "d.bin", lambda out: out.write(b"tulis"))
    assert (tmp_path / "a" / "b.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "c.txt").read_text(encoding="utf-8") == "Cibitung ✓"
    assert (tmp_path / "d.bin").read_bytes() == b"tulis"
    assert (tmp_path / "c.txt").stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "katalog.pdf"
    target.write_bytes(b"lama")

    def half(out: object) -> None:
        out.write(b"setengah")  # type: ignore[attr-defined]
        raise OSError("disk penuh")

    with pytest.raises(OSError, match="disk penuh"):
        write_atomic(target, half)
    assert target.read_bytes() == b"lama"
    assert [p.name for p in tmp_path.iterdir()] == ["katalog.pdf"]


def test_swap_in_replaces_a_folder_whole_and_removes_the_old(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "lama.html").write_text("lama")
    new = tmp_path / ".baru"
    new.mkdir()
    (new / "index.html").write_text("baru")
    swap_in(new, target)
    assert sorted(p.name for p in target.iterdir()) == ["index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    fresh = tmp_path / ".lagi"
    fresh.mkdir()
    swap_in(fresh, tmp_path / "belum-ada")
    assert (tmp_path / "belum-ada").is_dir()


def test_swap_in_puts_the_old_folder_back_when_the_new_cannot_move(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "keripik"
    target.mkdir()
    (target / "index.md").write_text("lama")
    new = tmp_path / ".baru"
    new.mkdir()
    real_rename = Path.rename

    def refuse(self: Path, to: Path) -> Path:
        if self == new:
            raise OSError("tidak bisa dipindah")
        return real_rename(self, to)

    monkeypatch.setattr(files.Path, "rename", refuse)
    with pytest.raises(OSError, match="tidak bisa dipindah"):
        swap_in(new, target)
    assert (target / "index.md").read_text() == "lama"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".baru", "keripik"]

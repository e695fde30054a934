"""Problems as printed: personal numbers in them are masked, because CI logs of a public repo are public."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.privacy import mask_nik, mask_phone
from tests.conftest import MakeEntry


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("0812-1934-5521", "0812****5521"),
        ("081219345521", "0812****5521"),
        ("+62 812 1934 5521", "+6281*****5521"),
        ("(021) 8995-1234", "0218***1234"),
        ("WA 0812 1934 5521", "WA 0812 **** 5521"),  # words kept as written, digits masked in place
        ("12345", "12*45"),
        ("0812", "0812"),  # too short to reach anyone
        ("nomor saya", "nomor saya"),
        ("", ""),
    ],
)
def test_mask_phone_hides_the_middle_digits(written: str, shown: str) -> None:
    assert mask_phone(written) == shown


def test_mask_nik_keeps_only_the_first_four() -> None:
    assert mask_nik("3216 0145 0890 0001") == "3216************"


def test_check_output_never_holds_a_whole_personal_number(
    project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator import cli

    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", "2026-11-28")
    make_entry("satu", {"kontak": {"whatsapp": "0812-1934-5521-999"}}, body="NIK saya 3216014508900001.\n")
    make_entry("dua", {"kontak": {"whatsapp": "021-89951234"}})
    assert cli.main(["check", "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert "0812*******1999" in out and "0218***1234" in out and "3216************" in out
    for whole in ("081219345521999", "89951234", "3216014508900001", "4508900001"):  # the example number may show
        assert whole not in out.replace("-", "")


def test_formatted_problems_never_show_a_nik() -> None:
    from generator.core.problems import WARNING, Problem

    problem = Problem(Path("catalog/x/index.md"), 5, "sertifikasi[0].nomor", "nomor tidak biasa (ditemukan '3216010101900001')", WARNING)
    assert problem.format(Path(".")) == "catalog/x/index.md:5: peringatan: sertifikasi[0].nomor: nomor tidak biasa (ditemukan '3216************')"
    halal = Problem(Path("x"), 1, "f", "ID32110000145680323 dan 2063216010123-27 tetap terbaca")
    assert "ID32110000145680323" in halal.format() and "2063216010123-27" in halal.format()

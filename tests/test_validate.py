"""Validation stage: one test (or parametrized case) per rule, each asserting the exact message."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator.builder.load import load_entries
from generator.builder.validate import validate_entries
from generator.core.models import Catalog, Entry, Region
from generator.core.region import load_region
from tests.conftest import TODAY, MakeEntry, write_image

SRC = "catalog/keripik-sari-rasa/index.md"
BASE = {"nama": "Keripik Sari Rasa", "sektor": "kuliner", "kecamatan": "Cibitung", "ringkasan": "Keripik singkong balado renyah."}


def entry_text(extra: str = "", body: str = "Cerita usaha.\n", **base: str | None) -> str:
    """Front matter with the base fields on lines 2-5 (None drops one), `extra` from line 6, then the story."""
    head = "".join(f"{key}: {value}\n" for key, value in {**BASE, **base}.items() if value is not None)
    return f"---\n{head}{extra}---\n{body}"


@pytest.fixture
def region(project: Path) -> Region:
    region, problems = load_region(project / "wilayah.yml")
    assert region is not None, problems
    return region


@pytest.fixture
def run(project: Path, region: Region, make_entry: MakeEntry):
    """Write one entry from `entry_text(...)`, load and validate the catalog: (catalog, messages)."""

    def run_(extra: str = "", body: str = "Cerita usaha.\n", photos: dict[str, tuple[int, int]] | None = None, **base: str | None):
        make_entry(text=entry_text(extra, body, **base), photos=photos)
        return check(project, region)

    return run_


def check(project: Path, region: Region) -> tuple[Catalog, list[str]]:
    raw, problems = load_entries(project / "catalog")
    catalog, more = validate_entries(raw, region, today=TODAY)
    return catalog, [p.format(base=project) for p in problems + more]


def only_entry(catalog: Catalog) -> Entry:
    assert len(catalog.entries) == 1
    return catalog.entries[0]


# -- a complete, valid entry ------------------------------------------------------------------

FULL = """\
desa: Wanasari
alamat: Kp. Telaga RT 02/05
pemilik: Ibu Rohimah
berdiri: 2017
nib: "9120301745821"
kapasitas: 3.000 potong per bulan
kontak:
  whatsapp: "0812-1934-5521"
  telepon: "021-89951234"
  email: telagabatik@example.id
  instagram: "@telagabatik"
  situs: https://telagabatik.example.id
toko_online:
  - platform: tokopedia
    url: https://www.tokopedia.com/telagabatik
sertifikasi:
  - jenis: halal
    nomor: ID32110000145680323
    produk: [Batik Tulis Motif Tanjung Pura]
  - jenis: pirt
    nomor: 2063216010123-27
produk:
  - nama: Batik Tulis Motif Tanjung Pura
    harga: 385000
    satuan: lembar
    deskripsi: Kain katun 2 meter.
    foto: [foto/tanjung-pura.jpg]
    tautan: https://www.tokopedia.com/telagabatik/batik-tulis
foto: [foto/galeri.jpg]
pembinaan:
  - program: Pelatihan membatik
    penyelenggara: Dinas Perindustrian dan Perdagangan
    tahun: 2017
diperbarui: 2026-10-02
"""


def test_complete_entry_is_typed_without_problems(run) -> None:
    catalog, messages = run(
        FULL, body="Cerita usaha.\n\nSejak 2017.\n", photos={"foto/galeri.jpg": (40, 30), "foto/tanjung-pura.jpg": (40, 30)}
    )
    assert messages == []
    entry = only_entry(catalog)
    assert (entry.slug, entry.nama, entry.sektor, entry.kecamatan) == ("keripik-sari-rasa", "Keripik Sari Rasa", "kuliner", "Cibitung")
    assert (entry.desa, entry.berdiri, entry.nib, entry.kapasitas) == ("Wanasari", 2017, "9120301745821", "3.000 potong per bulan")
    assert entry.kontak.whatsapp == "6281219345521"
    assert entry.kontak.telepon == "622189951234"
    assert entry.kontak.instagram == "telagabatik"
    assert entry.toko_online[0].url == "https://www.tokopedia.com/telagabatik"
    assert [(c.jenis, c.nomor, c.berlaku_sampai) for c in entry.sertifikasi] == [
        ("halal", "ID32110000145680323", None),
        ("pirt", "2063216010123-27", date(2027, 12, 31)),
    ]
    assert entry.produk[0].harga == 385000
    assert entry.produk[0].foto == ("foto/tanjung-pura.jpg",)
    assert entry.foto == ("foto/galeri.jpg",)
    assert entry.pembinaan[0].tahun == 2017
    assert entry.diperbarui == date(2026, 10, 2)
    assert entry.cerita == "Cerita usaha.\n\nSejak 2017."


# -- required, unknown and mistyped fields ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "label", "example"),
    [
        ("nama", "Nama usaha", "Telaga Batik"),
        ("sektor", "Sektor usaha", "fesyen"),
        ("kecamatan", "Kecamatan", "Cibitung"),
        ("ringkasan", "Ringkasan", "Batik tulis dan cap khas Bekasi."),
    ],
)
def test_missing_required_field(run, name: str, label: str, example: str) -> None:
    catalog, messages = run(**{name: None})
    assert messages == [f"{SRC}:2: kolom wajib '{name}' ({label}) belum ada; tambahkan misalnya: {name}: {example}"]
    assert catalog.entries == ()


def test_empty_required_field(run) -> None:
    _, messages = run(nama='""')
    assert messages == [f"{SRC}:2: nama: wajib diisi (Nama usaha), misalnya: nama: Telaga Batik"]


def test_missing_required_field_of_a_product(run) -> None:
    _, messages = run("produk:\n  - harga: 5000\n")
    assert messages == [
        f"{SRC}:7: produk[0]: kolom wajib 'nama' (Nama produk) belum ada; tambahkan misalnya: nama: Batik Tulis Motif Tanjung Pura"
    ]


def test_unknown_field_suggests_the_closest(run) -> None:
    _, messages = run("ringkas: Keripik pedas.\n")
    assert messages == [f"{SRC}:6: ringkas: kolom tidak dikenal 'ringkas'; maksud Anda 'ringkasan'?"]


def test_unknown_nested_field_suggests_the_closest(run) -> None:
    _, messages = run('kontak:\n  whatsap: "081234567890"\n')
    assert messages == [f"{SRC}:7: kontak.whatsap: kolom tidak dikenal 'whatsap'; maksud Anda 'whatsapp'?"]


KNOWN = "nama, sektor, kecamatan, desa, alamat, lokasi, ringkasan, pemilik, berdiri, nib, kapasitas, kontak, toko_online, sertifikasi, produk, foto, pembinaan, diperbarui, diverifikasi, diturunkan, pengelola, persetujuan"


@pytest.mark.parametrize(
    ("key", "value"),
    [("template", "main.html"), ("title", "<script>alert(1)</script>"), ("hide", "[navigation, toc]"), ("search", "{exclude: true}")],
)
def test_keys_mkdocs_would_act_on_are_unknown_fields(run, key: str, value: str) -> None:
    catalog, messages = run(f"{key}: {value}\n")
    assert messages == [f"{SRC}:6: {key}: kolom tidak dikenal '{key}'; kolom yang dikenal: {KNOWN}"]
    assert catalog.entries == ()


@pytest.mark.parametrize(
    ("extra", "base", "expected"),
    [
        ("", {"nama": "[Keripik, Sari]"}, "2: nama: harus berupa satu nilai, bukan daftar (Nama usaha)"),
        ("", {"ringkasan": "{a: b}"}, "5: ringkasan: harus berupa satu nilai, bukan pasangan 'kunci: nilai' (Ringkasan)"),
        ("foto: foto/sampul.jpg\n", {}, "6: foto: harus berupa daftar (Foto); tulis misalnya foto: [foto/sampul.jpg]"),
        ("produk: Keripik\n", {}, "6: produk: harus berupa daftar (Produk); tulis misalnya produk: [Keripik]"),
        ('kontak: "081234567890"\n', {}, "6: kontak: harus berisi pasangan 'kunci: nilai' (Kontak), bukan teks"),
        ("kontak: [a, b]\n", {}, "6: kontak: harus berisi pasangan 'kunci: nilai' (Kontak), bukan daftar"),
        ("produk: [Keripik]\n", {}, "6: produk[0]: harus berisi pasangan 'kunci: nilai' (Produk), bukan teks"),
    ],
    ids=[
        "list-for-text",
        "mapping-for-text",
        "text-for-list",
        "text-for-list-of-objects",
        "text-for-object",
        "list-for-object",
        "text-item",
    ],
)
def test_wrong_type(run, extra: str, base: dict[str, str], expected: str) -> None:
    _, messages = run(extra, **base)
    assert messages == [f"{SRC}:{expected}"]


# -- vocabularies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "base", "expected"),
    [
        ("", {"sektor": "kulinar"}, "3: sektor: sektor usaha tidak dikenal 'kulinar' (maksud Anda 'kuliner'?)"),
        (
            "",
            {"sektor": "otomotif"},
            "3: sektor: sektor usaha tidak dikenal 'otomotif' (pilihan: kuliner, fesyen, kriya, pertanian, kesehatan-kecantikan, jasa, teknologi-digital, lainnya)",
        ),
        ("", {"kecamatan": "Cibitng"}, "4: kecamatan: kecamatan tidak dikenal 'Cibitng' di Kabupaten Bekasi (maksud Anda 'Cibitung'?)"),
        (
            "",
            {"kecamatan": "Karang Bahagya"},
            "4: kecamatan: kecamatan tidak dikenal 'Karang Bahagya' di Kabupaten Bekasi (maksud Anda 'Karangbahagia'?)",
        ),
        (
            "sertifikasi:\n  - jenis: halaal\n    nomor: ID32110000145680323\n",
            {},
            "7: sertifikasi[0].jenis: jenis sertifikat tidak dikenal 'halaal' (maksud Anda 'halal'?)",
        ),
        (
            "toko_online:\n  - platform: tokped\n    url: https://tokopedia.com/x\n",
            {},
            "7: toko_online[0].platform: platform tidak dikenal 'tokped' (maksud Anda 'tokopedia'?)",
        ),
    ],
    ids=["sektor", "sektor-no-close-match", "kecamatan", "kecamatan-variant-typo", "jenis", "platform"],
)
def test_unknown_vocabulary_value_suggests_the_closest(run, extra: str, base: dict[str, str], expected: str) -> None:
    catalog, messages = run(extra, **base)
    assert messages == [f"{SRC}:{expected}"]
    assert catalog.entries == ()


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Karang Bahagia", "Karangbahagia"),
        ("Muara Gembong", "Muaragembong"),
        ("Serangbaru", "Serang Baru"),
        ("Kedung Waringin", "Kedungwaringin"),
        ("cibitung", "Cibitung"),
        ("CIKARANG PUSAT", "Cikarang Pusat"),
        ("Kec. Setu", "Setu"),
    ],
)
def test_kecamatan_variants_publish_the_canonical_name(run, written: str, canonical: str) -> None:
    catalog, messages = run(kecamatan=written)
    assert messages == []
    assert only_entry(catalog).kecamatan == canonical


@pytest.mark.parametrize("name", ["Bekasi Barat", "Bantargebang", "Bekasi Selatan"])
def test_kota_bekasi_kecamatan_is_refused_without_a_misleading_suggestion(run, name: str) -> None:
    _, messages = run(kecamatan=name)
    assert messages == [f"{SRC}:4: kecamatan: kecamatan tidak dikenal '{name}' di Kabupaten Bekasi (lihat daftar kecamatan di wilayah.yml)"]


def test_sektor_is_case_insensitive(run) -> None:
    catalog, messages = run(sektor="Kuliner")
    assert messages == []
    assert only_entry(catalog).sektor == "kuliner"


# -- URLs ---------------------------------------------------------------------------------------


def shop(platform: str, url: str) -> str:
    return f"toko_online:\n  - platform: {platform}\n    url: {url}\n"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ('"javascript:alert(1)"', "javascript:alert(1)"),
        ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "data:text/html;base64,PHNjcmlwdD5hbGV..."),
        ("ftp://tokopedia.com/x", "ftp://tokopedia.com/x"),
        ("www.tokopedia.com/x", "www.tokopedia.com/x"),
    ],
    ids=["javascript", "data", "ftp", "no-scheme"],
)
def test_url_scheme_other_than_https_is_refused(run, url: str, shown: str) -> None:
    catalog, messages = run(shop("tokopedia", url))
    assert messages == [f"{SRC}:8: toko_online[0].url: alamat harus diawali https:// (ditemukan '{shown}')"]
    assert catalog.entries == ()


def test_javascript_url_in_contact_is_refused(run) -> None:
    _, messages = run('kontak:\n  situs: "javascript:alert(document.cookie)"\n')
    assert messages == [f"{SRC}:7: kontak.situs: alamat harus diawali https:// (ditemukan 'javascript:alert(document.cookie)')"]


def test_http_url_is_a_warning(run) -> None:
    catalog, messages = run("kontak:\n  situs: http://telagabatik.example.id\n")
    assert messages == [
        f"{SRC}:7: peringatan: kontak.situs: alamat sebaiknya diawali https:// agar aman (ditemukan 'http://telagabatik.example.id')"
    ]
    assert only_entry(catalog).kontak.situs == "http://telagabatik.example.id"


def test_url_with_credentials_is_refused(run) -> None:
    _, messages = run(shop("tokopedia", "https://tokopedia.com@evil.example/x"))
    assert messages == [f"{SRC}:8: toko_online[0].url: alamat web tidak valid (ditemukan 'https://tokopedia.com@evil.example/x')"]


@pytest.mark.parametrize("host", ["tokopedla.com", "evil-tokopedia.com", "tokopedia.com.evil.id"])
def test_marketplace_look_alike_domain_is_refused(run, host: str) -> None:
    _, messages = run(shop("tokopedia", f"https://{host}/telagabatik"))
    assert messages == [
        f"{SRC}:8: toko_online[0].url: alamat bukan halaman Tokopedia (ditemukan domain '{host}'; diharapkan tokopedia.com atau tokopedia.link)"
    ]


@pytest.mark.parametrize(
    ("platform", "url"),
    [
        ("tokopedia", "https://www.tokopedia.com/telagabatik"),
        ("tokopedia", "https://tokopedia.com/telagabatik"),
        ("tokopedia", "https://tokopedia.link/AbCd123"),
        ("shopee", "https://id.shp.ee/xyz"),
        ("e-katalog", "https://katalog.inaproc.id/telagabatik"),
        ("situs", "https://telagabatik.example.id"),
    ],
)
def test_marketplace_domain_or_subdomain_is_accepted(run, platform: str, url: str) -> None:
    catalog, messages = run(shop(platform, url))
    assert messages == []
    assert only_entry(catalog).toko_online[0].url == url


def test_short_link_domain_only_for_its_own_platform(run) -> None:
    _, messages = run(shop("shopee", "https://tokopedia.link/AbCd123"))
    assert messages == [
        f"{SRC}:8: toko_online[0].url: alamat bukan halaman Shopee (ditemukan domain 'tokopedia.link'; diharapkan shopee.co.id, shp.ee atau id.shp.ee)"
    ]


# -- phone numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        '"0812-3456-7890"',
        "081234567890",
        '"+62 812 3456 7890"',
        "+6281234567890",
        "6281234567890",
        '"0812 3456 7890"',
        "+62-812-3456-7890",
        "(0812) 3456-7890",
    ],
    ids=["dashes", "unquoted-0812", "plus-62-spaces", "plus-62", "62", "spaces", "plus-62-dashes", "parentheses"],
)
def test_whatsapp_is_normalised_to_international_digits(run, written: str) -> None:
    catalog, messages = run(f"kontak:\n  whatsapp: {written}\n")
    assert messages == []
    assert only_entry(catalog).kontak.whatsapp == "6281234567890"


def test_unquoted_landline_keeps_its_leading_zero(run) -> None:
    catalog, messages = run("kontak:\n  telepon: 0274512345\n")
    assert messages == []
    assert only_entry(catalog).kontak.telepon == "62274512345"


@pytest.mark.parametrize(
    ("field", "written", "shown", "example"),
    [
        ("whatsapp", "0812", "0812", "0812-0000-0000"),
        ("whatsapp", "08123456789012345", "0812*********2345", "0812-0000-0000"),
        ("telepon", "12345", "12*45", "021-8800000"),
        ("telepon", "nomor saya", "nomor saya", "021-8800000"),
    ],
)
def test_impossible_phone_number_is_refused(run, field: str, written: str, shown: str, example: str) -> None:
    # The number found is echoed with its middle digits masked: CI logs are public.
    _, messages = run(f"kontak:\n  {field}: {written}\n")
    assert messages == [f"{SRC}:7: kontak.{field}: nomor telepon tidak valid (ditemukan '{shown}', misalnya {example})"]


def test_landline_as_whatsapp_is_refused(run) -> None:
    _, messages = run('kontak:\n  whatsapp: "021-89951234"\n')
    assert messages == [f"{SRC}:7: kontak.whatsapp: bukan nomor HP, tidak dapat dipakai untuk WhatsApp (ditemukan '0218***1234')"]


@pytest.mark.parametrize(
    ("written", "expected"), [("telagabatik@example.id", None), ("telagabatik@", "telagabatik@"), ("a b@example.id", "a b@example.id")]
)
def test_email(run, written: str, expected: str | None) -> None:
    _, messages = run(f"kontak:\n  email: {written}\n")
    assert messages == (
        []
        if expected is None
        else [f"{SRC}:7: kontak.email: alamat email tidak valid (ditemukan '{expected}', misalnya nama@example.id)"]
    )


@pytest.mark.parametrize(
    ("written", "handle"),
    [("telagabatik", "telagabatik"), ('"@telaga.batik"', "telaga.batik"), ("https://www.instagram.com/telagabatik/", "telagabatik")],
)
def test_instagram_handle_or_profile_url(run, written: str, handle: str) -> None:
    catalog, messages = run(f"kontak:\n  instagram: {written}\n")
    assert messages == []
    assert only_entry(catalog).kontak.instagram == handle


def test_bad_instagram_handle_is_refused(run) -> None:
    _, messages = run("kontak:\n  instagram: telaga batik!\n")
    assert messages == [
        f"{SRC}:7: kontak.instagram: akun Instagram tidak valid (ditemukan 'telaga batik!'; tulis nama akun, misalnya namaakun)"
    ]


# -- identifiers and certificates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "digits"),
    [("9120301745821", "9120301745821"), ('"0220 0098 61929"', "0220009861929"), ("0220-0098-61929", "0220009861929")],
)
def test_nib_of_13_digits_is_accepted(run, written: str, digits: str) -> None:
    catalog, messages = run(f"nib: {written}\n")
    assert messages == []
    assert only_entry(catalog).nib == digits


@pytest.mark.parametrize(("written", "count"), [("912030174582", 12), ("91203017458210", 14), ("NIB-91203017", 8)])
def test_nib_of_wrong_length_is_refused(run, written: str, count: int) -> None:
    _, messages = run(f"nib: {written}\n")
    assert messages == [f"{SRC}:6: nib: NIB harus 13 angka (ditemukan '{written}', {count} angka)"]


def cert(jenis: str, nomor: str, extra: str = "") -> str:
    return f"sertifikasi:\n  - jenis: {jenis}\n    nomor: {nomor}\n{extra}"


@pytest.mark.parametrize(
    "nomor", ["MD 224510001234", "MD224510001234", "ML 123456789012345", "md 224510001234123", "NA18201234567", "TR 123456789"]
)
def test_bpom_number_is_accepted(run, nomor: str) -> None:
    _, messages = run(cert("bpom", nomor, "    berlaku_sampai: 2028-03-14\n"))
    assert messages == []


def test_a_dated_kind_without_its_date_is_an_info(run) -> None:
    catalog, messages = run(cert("bpom", "MD 224510001234"))
    assert messages == [
        f"{SRC}:7: info: sertifikasi[0].berlaku_sampai: sertifikat BPOM berlaku sampai tanggal tertentu; "
        "isi berlaku_sampai (TAHUN-BULAN-HARI) agar tampil sebagai sertifikat yang berlaku"
    ]
    assert len(catalog.entries) == 1  # published, but not as a valid certificate (enrich)


@pytest.mark.parametrize(
    ("nomor", "expected"),
    [
        ("MD 2245100012345", "nomor BPOM MD harus diikuti 12 atau 15 angka (ditemukan 'MD 2245100012345', 13 angka)"),
        ("ML 22451000", "nomor BPOM ML harus diikuti 12 atau 15 angka (ditemukan 'ML 22451000', 8 angka)"),
        ("224510001234", "nomor BPOM tidak valid (ditemukan '224510001234'; misalnya MD 224510001234)"),
    ],
)
def test_bpom_number_is_refused(run, nomor: str, expected: str) -> None:
    _, messages = run(cert("bpom", nomor, "    berlaku_sampai: 2028-03-14\n"))
    assert messages == [f"{SRC}:8: sertifikasi[0].nomor: {expected}"]


def test_pirt_expiry_is_derived_from_its_number(run) -> None:
    catalog, messages = run(cert("pirt", "2063216010123-27"))
    assert messages == []
    assert only_entry(catalog).sertifikasi[0].berlaku_sampai == date(2027, 12, 31)


def test_pirt_expiry_given_is_kept(run) -> None:
    catalog, messages = run(cert("pirt", "2063216010123 - 27", "    berlaku_sampai: 2027-06-30\n"))
    assert messages == []
    assert only_entry(catalog).sertifikasi[0].berlaku_sampai == date(2027, 6, 30)


def test_pirt_expiry_year_different_from_number_is_a_warning(run) -> None:
    _, messages = run(cert("pirt", "2063216010123-27", "    berlaku_sampai: 2028-12-31\n"))
    assert messages == [f"{SRC}:9: peringatan: sertifikasi[0].berlaku_sampai: tahun tidak sama dengan tahun di nomor P-IRT (2027)"]


@pytest.mark.parametrize("nomor", ["2063216010123", "206321601012-27", "P-IRT 2063216010123-27"])
def test_pirt_number_of_wrong_format_is_refused(run, nomor: str) -> None:
    _, messages = run(cert("pirt", nomor))
    assert messages == [
        f"{SRC}:8: sertifikasi[0].nomor: nomor P-IRT harus 13 angka, tanda '-', lalu 2 angka tahun (ditemukan '{nomor}'; misalnya 2063216010123-27)"
    ]


def test_unusual_halal_number_is_a_warning(run) -> None:
    catalog, messages = run(cert("halal", "HL-12345"))
    assert messages == [
        f"{SRC}:8: peringatan: sertifikasi[0].nomor: nomor halal biasanya diawali 'ID' lalu angka (ditemukan 'HL-12345'); periksa kembali"
    ]
    assert len(catalog.entries) == 1


def test_certificate_product_not_in_product_list_is_a_warning(run) -> None:
    _, messages = run(cert("halal", "ID32110000145680323", "    produk: [Keripik Pedas]\n") + "produk:\n  - nama: Keripik Balado\n")
    assert messages == [f"{SRC}:9: peringatan: sertifikasi[0].produk[0]: produk 'Keripik Pedas' tidak ada di daftar produk"]


# -- prices, years and dates ----------------------------------------------------------------------


def product(harga: str) -> str:
    return f"produk:\n  - nama: Keripik Balado\n    harga: {harga}\n"


@pytest.mark.parametrize(
    ("harga", "expected"),
    [
        ("385.000", "tulis angka bulat tanpa titik, koma atau 'Rp' (ditemukan '385.000', maksud Anda 385000?)"),
        ("Rp 385.000", "tulis angka bulat tanpa titik, koma atau 'Rp' (ditemukan 'Rp 385.000', maksud Anda 385000?)"),
        ("Rp15.000,-", "tulis angka bulat tanpa titik, koma atau 'Rp' (ditemukan 'Rp15.000,-', maksud Anda 15000?)"),
        ("1.250.000,00", "tulis angka bulat tanpa titik, koma atau 'Rp' (ditemukan '1.250.000,00', maksud Anda 1250000?)"),
        ("-5000", "tidak boleh negatif (ditemukan '-5000')"),
        ("15.5", "harga harus angka bulat rupiah tanpa pecahan (ditemukan '15.5', misalnya 385000)"),
        ("15,5", "harga harus angka bulat rupiah tanpa pecahan (ditemukan '15,5', misalnya 385000)"),
        ("murah", "harus berupa angka bulat rupiah (ditemukan 'murah', misalnya 385000)"),
    ],
)
def test_price_must_be_whole_rupiah(run, harga: str, expected: str) -> None:
    _, messages = run(product(harga))
    assert messages == [f"{SRC}:8: produk[0].harga: {expected}"]


def test_whole_price_is_typed(run) -> None:
    catalog, messages = run(product("15000"))
    assert messages == []
    assert only_entry(catalog).produk[0].harga == 15000


@pytest.mark.parametrize("tahun", ["2030", "201", "dua ribu", "1850"])
def test_year_must_be_real(run, tahun: str) -> None:
    _, messages = run(f"berdiri: {tahun}\n")
    assert messages == [f"{SRC}:6: berdiri: tahun tidak valid (ditemukan '{tahun}'; diharapkan tahun 1900–2026, misalnya 2017)"]


def test_training_year_in_the_future_is_refused(run) -> None:
    _, messages = run("pembinaan:\n  - program: Pelatihan\n    tahun: 2027\n")
    assert messages == [f"{SRC}:8: pembinaan[0].tahun: tahun tidak valid (ditemukan '2027'; diharapkan tahun 1900–2026, misalnya 2017)"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2027-02-30", "tanggal tidak ada di kalender (ditemukan '2027-02-30'); periksa bulan dan harinya"),
        ("2027-13-01", "tanggal tidak ada di kalender (ditemukan '2027-13-01'); periksa bulan dan harinya"),
        ("30-08-2027", "tulis tanggal sebagai TAHUN-BULAN-HARI (ditemukan '30-08-2027', maksud Anda 2027-08-30?)"),
        ("5/8/2027", "tulis tanggal sebagai TAHUN-BULAN-HARI (ditemukan '5/8/2027', maksud Anda 2027-08-05?)"),
        ("Agustus 2027", "tanggal tidak valid (ditemukan 'Agustus 2027'; diharapkan TAHUN-BULAN-HARI, misalnya 2027-08-30)"),
        ("1899-12-31", "tanggal tidak masuk akal (ditemukan '1899-12-31')"),
    ],
)
def test_date_must_be_real(run, written: str, expected: str) -> None:
    _, messages = run(cert("halal", "ID32110000145680323", f"    berlaku_sampai: {written}\n"))
    assert messages == [f"{SRC}:9: sertifikasi[0].berlaku_sampai: {expected}"]


# -- photos -------------------------------------------------------------------------------------

PHOTOS = {"foto/sampul.jpg": (40, 30)}


@pytest.mark.parametrize("path", ["../x.jpg", "foto/../../x.jpg", "/etc/passwd.jpg", "C:/foto/x.jpg", "foto\\\\x.jpg"])
def test_photo_path_must_stay_in_the_folder(run, path: str) -> None:
    _, messages = run(f'foto: ["{path}"]\n', photos=PHOTOS)
    shown = path.replace("\\\\", "\\")
    assert messages == [
        f"{SRC}:6: foto[0]: jalur foto harus relatif terhadap folder usaha, tanpa '..' (ditemukan '{shown}', misalnya foto/sampul.jpg)"
    ]


@pytest.mark.parametrize("written", ["foto/sampul.jpeg", "foto/Sampul.JPG", "sampul.jpg"])
def test_missing_photo_suggests_the_closest_file(run, written: str) -> None:
    _, messages = run(f"foto: [{written}]\n", photos=PHOTOS)
    assert messages == [f"{SRC}:6: foto[0]: berkas foto '{written}' tidak ada di folder usaha; maksud Anda 'foto/sampul.jpg'?"]


def test_missing_product_photo(run) -> None:
    _, messages = run("produk:\n  - nama: Keripik\n    foto: [foto/keripik.jpg]\n", photos=PHOTOS)
    assert messages == [f"{SRC}:8: produk[0].foto[0]: berkas foto 'foto/keripik.jpg' tidak ada di folder usaha"]


def test_photo_with_other_suffix_is_refused(run) -> None:
    _, messages = run("foto: [foto/menu.pdf]\n", photos=PHOTOS)
    assert messages == [f"{SRC}:6: foto[0]: bukan berkas foto yang didukung (ditemukan 'foto/menu.pdf'; gunakan JPEG, PNG, WebP atau HEIC)"]


def test_photo_symlink_leaving_the_folder_is_refused(project: Path, region: Region, make_entry: MakeEntry) -> None:
    index = make_entry(text=entry_text("foto: [foto/luar.jpg]\n"), photos=PHOTOS)
    outside = write_image(project / "rahasia.jpg", (40, 30))
    (index.parent / "foto" / "luar.jpg").symlink_to(outside)
    catalog, messages = check(project, region)
    assert messages == [
        "catalog/keripik-sari-rasa/foto/luar.jpg: tautan simbolik (symlink) tidak diizinkan di folder usaha",
        f"{SRC}:6: foto[0]: foto tidak boleh berupa symlink atau berada di luar folder usaha (ditemukan 'foto/luar.jpg')",
    ]
    assert catalog.entries == ()


# -- privacy ------------------------------------------------------------------------------------

NIK_MESSAGE = (
    "nomor 16 angka seperti NIK (nomor KTP) tidak boleh dimuat karena katalog ini publik; hapus nomor tersebut (ditemukan 3216************)"
)


def test_nik_in_a_field_is_refused_and_masked(run) -> None:
    catalog, messages = run("pemilik: Ibu Rohimah (NIK 3216014501900001)\n")
    assert messages == [f"{SRC}:6: pemilik: {NIK_MESSAGE}"]
    assert catalog.entries == ()
    assert not any("3216014501900001" in m for m in messages)


def test_unquoted_nik_in_a_nested_field_is_refused(run) -> None:
    _, messages = run("pembinaan:\n  - program: Pelatihan\n    penyelenggara: 3216014501900001\n")
    assert messages == [f"{SRC}:8: pembinaan[0].penyelenggara: {NIK_MESSAGE}"]


def test_nik_in_a_yaml_comment_is_refused(run) -> None:
    _, messages = run("# NIK pemilik 3216014501900001\n")
    assert messages == [f"{SRC}:6: {NIK_MESSAGE}"]


@pytest.mark.parametrize("written", ["3216014501900001", "3216 0145 0190 0001", "3216-0145-0190-0001"])
def test_nik_in_the_story_is_refused_and_masked(run, written: str) -> None:
    _, messages = run(body=f"Cerita usaha.\nNIK pemilik: {written}.\n")
    assert messages == [f"{SRC}:8: cerita: {NIK_MESSAGE}"]


def test_certificate_and_business_numbers_are_not_mistaken_for_nik(run) -> None:
    extra = cert("halal", "ID32110000145680323") + "  - jenis: pirt\n    nomor: 2063216010123-27\n" + 'nib: "0220 0098 61929"\n'
    body = "Sertifikat halal ID32110000145680323, P-IRT 2063216010123-27, BPOM MD 224510001234123.\nHubungi +62 812-3456-7890.\n"
    catalog, messages = run(extra, body=body)
    assert messages == []
    assert len(catalog.entries) == 1


# -- text cleaning and limits -------------------------------------------------------------------


def test_invisible_and_bidi_characters_are_stripped(run) -> None:
    catalog, messages = run(
        nama="Keripik\u202e Sari\u200b Rasa\u2066", ringkasan="Renyah\u00ad dan\u200d gurih.", body="Cerita\u202e usaha\u200b.\n"
    )
    assert messages == []
    entry = only_entry(catalog)
    assert (entry.nama, entry.ringkasan, entry.cerita) == ("Keripik Sari Rasa", "Renyah dan gurih.", "Cerita usaha.")


@pytest.mark.parametrize(("field", "line", "limit"), [("nama", 2, 100), ("ringkasan", 5, 160)])
def test_text_longer_than_its_limit_is_refused(run, field: str, line: int, limit: int) -> None:
    _, messages = run(**{field: "a" * (limit + 1)})
    assert messages == [f"{SRC}:{line}: {field}: terlalu panjang ({limit + 1} karakter; paling banyak {limit})"]


def test_text_at_its_limit_is_accepted(run) -> None:
    _, messages = run(nama="a" * 100, ringkasan="b" * 160)
    assert messages == []


def test_story_larger_than_20_kb_is_refused(run) -> None:
    _, messages = run(body="a" * 20_001 + "\n")
    assert messages == [f"{SRC}:7: cerita: cerita terlalu panjang (21 KB; paling banyak 20 KB)"]


def test_story_nested_too_deep_is_refused_at_its_file_line(run) -> None:
    _, messages = run(body="\nCerita.\n\n" + "> " * 7 + "dalam sekali\n")
    assert messages == [f"{SRC}:10: cerita: susunan daftar/kutipan terlalu dalam (7 tingkat; paling banyak 6)"]


def test_too_many_items_in_a_list_is_refused(run) -> None:
    _, messages = run("pembinaan:\n" + "  - program: Pelatihan\n" * 21)
    assert messages == [f"{SRC}:6: pembinaan: terlalu banyak butir (21; paling banyak 20)"]


# -- collect, then fail -------------------------------------------------------------------------


def test_every_broken_entry_is_reported_and_valid_ones_kept(project: Path, region: Region, make_entry: MakeEntry) -> None:
    make_entry("a-rusak-yaml", text=entry_text(ringkasan="Toko: baru"))
    make_entry("b-rusak-isi", text=entry_text("berdiri: 2030\n", kecamatan="Bekasi Barat"))
    make_entry("c-baik", text=entry_text())
    catalog, messages = check(project, region)
    assert messages == [
        "catalog/a-rusak-yaml/index.md:5: sintaks YAML tidak valid: tanda ':' tidak diharapkan di sini; beri tanda kutip pada teks yang memuat ':' (YAML: mapping values are not allowed here)",
        "catalog/b-rusak-isi/index.md:4: kecamatan: kecamatan tidak dikenal 'Bekasi Barat' di Kabupaten Bekasi (lihat daftar kecamatan di wilayah.yml)",
        "catalog/b-rusak-isi/index.md:6: berdiri: tahun tidak valid (ditemukan '2030'; diharapkan tahun 1900–2026, misalnya 2017)",
    ]
    assert [e.slug for e in catalog.entries] == ["c-baik"]


def test_list_markers_in_a_row_count_as_nesting(run) -> None:
    # `- - - x` is a list in a list in a list: thousands of them would exhaust Python-Markdown's recursion.
    _, messages = run(body="- " * 3000 + "x\n")
    assert messages == [f"{SRC}:7: cerita: susunan daftar/kutipan terlalu dalam (2999 tingkat; paling banyak 6)"]
    _, messages = run(body="- - - butir biasa\n\n1. satu\n")
    assert messages == []


# -- location ------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ['"-6.2871, 107.0873"', '"-6.2871,107.0873"', '"-6.2871 107.0873"', '"-6.2871; 107.0873"'])
def test_a_location_as_map_apps_copy_it_is_read(run, written: str) -> None:
    catalog, messages = run(f"lokasi: {written}\n")
    assert messages == []
    location = only_entry(catalog).lokasi
    assert location is not None and (location.lintang, location.bujur) == (-6.2871, 107.0873)
    assert location.text == "-6.2871, 107.0873"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ('"107.0873, -6.2871"', "lintang dan bujur tertukar (ditemukan '107.0873, -6.2871'; maksud Anda -6.2871, 107.0873?)"),
        (
            '"-6.9175, 107.6191"',  # Bandung, another regency
            "lokasi -6.9175, 107.6191 berada di luar Kabupaten Bekasi (lintang -6.5 sampai -5.9, bujur 106.95 sampai 107.3); periksa titiknya di peta",
        ),
        ('"6.2871, 107.0873"', "lokasi 6.2871, 107.0873 berada di luar Kabupaten Bekasi (lintang -6.5 sampai -5.9, bujur 106.95 sampai 107.3); periksa titiknya di peta"),
        ('"-6,2871 107,0873"', "tulis lintang, bujur dalam derajat desimal (ditemukan '-6,2871 107,0873'; misalnya -6.2871, 107.0873)"),
        ("Kp. Telaga", "tulis lintang, bujur dalam derajat desimal (ditemukan 'Kp. Telaga'; misalnya -6.2871, 107.0873)"),
        ('"-96.1, 107.0"', "lintang harus -90 sampai 90 dan bujur -180 sampai 180 (ditemukan '-96.1, 107.0')"),
    ],
)
def test_a_location_outside_the_regency_or_unreadable_is_refused(run, written: str, expected: str) -> None:
    catalog, messages = run(f"lokasi: {written}\n")
    assert messages == [f"{SRC}:6: lokasi: {expected}"]
    assert catalog.entries == ()

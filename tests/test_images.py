"""Photos stage: private, upright, bounded, cached variants and clear errors for bad images."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import ExifTags, Image, ImageCms

from generator.builder import images
from generator.builder.images import check_photos, photo_field, process_photos
from generator.core.models import Entry, ProcessedPhoto, Product
from generator.core.problems import ERROR, WARNING, Problem

SLUG = "telaga-batik"
RED, GREEN, BLUE = (220, 20, 20), (20, 200, 20), (20, 20, 220)


def make_entry(
    tmp_path: Path,
    slug: str = SLUG,
    foto: tuple[str, ...] = (),
    produk: tuple[tuple[str, ...], ...] = (),
) -> Entry:
    """An entry whose folder exists; photos are written by the test into `entry.folder`."""
    folder = tmp_path / "catalog" / slug
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "index.md"
    source.write_text("---\nnama: Contoh\n---\n", encoding="utf-8")
    return Entry(
        slug=slug,
        source=source,
        nama="Telaga Batik",
        sektor="fesyen",
        kecamatan="Cikarang Utara",
        ringkasan="Batik tulis",
        foto=foto,
        produk=tuple(Product(nama=f"Produk {i}", foto=f) for i, f in enumerate(produk)),
    )


def save_photo(
    path: Path,
    size: tuple[int, int] = (800, 600),
    colour: tuple[int, ...] = GREEN,
    mode: str = "RGB",
    **options: object,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour).save(path, **options)  # type: ignore[arg-type]
    return path


def phone_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: orientation, camera, owner and the GPS of their home."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Telepon"
    exif[ExifTags.Base.Artist] = "Ibu Siti"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (6.0, 15.0, 30.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (107.0, 8.0, 12.25)
    return exif


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims a size in its header but carries almost no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def noisy_jpeg(size: tuple[int, int] = (800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.merge("RGB", [Image.effect_noise(size, 60)] * 3).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def outputs(photo: ProcessedPhoto) -> list[Path]:
    return [path for _, path in photo.cache_files]


def problem(entry: Entry, field: str, message: str, level: str = ERROR) -> Problem:
    return Problem(entry.source, None, field, message, level)


# Privacy and pixels


XMP = b"<x:xmpmeta><rdf:Description dc:creator='Ibu Siti'/></x:xmpmeta>"
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("galeri.jpg", {"exif": phone_exif(1), "icc_profile": SRGB, "xmp": XMP}),
        ("miring.jpg", {"exif": phone_exif(6)}),
        ("layar.png", {"exif": phone_exif(8)}),
        ("stiker.webp", {"exif": phone_exif(3), "icc_profile": SRGB, "xmp": XMP}),
    ],
)
def test_outputs_carry_no_metadata(tmp_path: Path, name: str, options: dict[str, Any]) -> None:
    entry = make_entry(tmp_path, foto=(name,))
    save_photo(entry.folder / name, size=(1600, 1200), **options)
    photos, problems = process_photos([entry], tmp_path / "cache")
    assert problems == []
    files = outputs(photos[(entry.folder / name).resolve()])
    assert len(files) == 6  # 3 widths and 2 thumbnails in WebP, the largest width again in JPEG
    for path in files:
        with Image.open(path) as out:
            assert len(out.getexif()) == 0
            assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp"} & set(out.info)
        data = path.read_bytes()
        for marker in (b"Exif\0", b"ICC_PROFILE", b"ns.adobe.com/xap", b"EXIF", b"ICCP", b"XMP "):
            assert marker not in data


def test_icc_profile_converted_and_broken_profile_tolerated(tmp_path: Path) -> None:
    entry = make_entry(tmp_path, foto=("srgb.jpg", "rusak-icc.jpg"))
    save_photo(entry.folder / "srgb.jpg", colour=RED, icc_profile=SRGB)
    save_photo(entry.folder / "rusak-icc.jpg", colour=RED, icc_profile=b"bukan profil")
    photos, problems = process_photos([entry], tmp_path / "cache")
    assert problems == []
    for photo in photos.values():
        with Image.open(outputs(photo)[0]) as out:
            pixel = out.convert("RGB").getpixel((10, 10))
        assert isinstance(pixel, tuple)
        assert all(abs(a - b) <= 8 for a, b in zip(pixel, RED, strict=True))


def test_rotated_photo_comes_out_upright(tmp_path: Path) -> None:
    entry = make_entry(tmp_path, foto=("miring.jpg",))
    stored = Image.new("RGB", (800, 600), GREEN)
    stored.paste(RED, (0, 0, 200, 200))  # top-left as stored; orientation 6 turns it top-right
    stored.save(entry.folder / "miring.jpg", exif=phone_exif(orientation=6), quality=95)
    photos, _ = process_photos([entry], tmp_path / "cache")
    photo = photos[(entry.folder / "miring.jpg").resolve()]
    assert (photo.width, photo.height) == (600, 800)
    largest = photo.jpeg
    path = dict(photo.cache_files)[largest.uri]
    with Image.open(path) as out:
        assert out.size == (600, 800)
        assert _near(out.getpixel((550, 50)), RED)
        assert _near(out.getpixel((50, 50)), GREEN)


def _near(pixel: object, colour: tuple[int, int, int], tolerance: int = 30) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


@pytest.mark.parametrize(
    ("size", "widths", "thumbs"),
    [
        ((3000, 1000), [320, 640, 1280], [320, 640]),
        ((1000, 800), [320, 640, 1000], [320, 640]),
        ((500, 3000), [320, 341], [320, 500]),  # tall screenshot: height capped at 2048
        ((200, 150), [200], [200]),  # narrower than 320: one variant at its own width
    ],
)
def test_widths_never_upscale_nor_pass_2048(tmp_path: Path, size: tuple[int, int], widths: list[int], thumbs: list[int]) -> None:
    entry = make_entry(tmp_path, foto=("foto.png",))
    save_photo(entry.folder / "foto.png", size=size)
    photos, _ = process_photos([entry], tmp_path / "cache")
    photo = photos[(entry.folder / "foto.png").resolve()]
    assert [v.width for v in photo.webp] == widths
    assert photo.jpeg.width == widths[-1]  # one JPEG, the largest: link previews and the no-JavaScript link
    assert [v.width for v in photo.thumb_webp] == thumbs
    for variant in photo.thumb_webp:
        assert variant.height == round(variant.width * 3 / 4)
    files = dict(photo.cache_files)
    for variant in (*photo.webp, photo.jpeg, *photo.thumb_webp):
        with Image.open(files[variant.uri]) as out:
            assert out.size == (variant.width, variant.height)
            assert max(out.size) <= 2048
            assert out.width <= size[0]


def test_transparency_kept_in_webp_and_flattened_on_white_in_jpeg(tmp_path: Path) -> None:
    entry = make_entry(tmp_path, foto=("logo.png",))
    logo = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    logo.paste((*GREEN, 255), (400, 0, 800, 600))
    logo.save(entry.folder / "logo.png")
    photos, _ = process_photos([entry], tmp_path / "cache")
    photo = photos[(entry.folder / "logo.png").resolve()]
    files = dict(photo.cache_files)
    with Image.open(files[photo.webp[-1].uri]) as webp:
        assert webp.mode == "RGBA"
        assert webp.getpixel((10, 10))[3] == 0  # type: ignore[index]
    with Image.open(files[photo.jpeg.uri]) as jpeg:
        assert jpeg.mode == "RGB"
        assert _near(jpeg.getpixel((10, 10)), (255, 255, 255), 4)
        assert _near(jpeg.getpixel((790, 590)), GREEN)


@pytest.mark.parametrize(
    ("name", "mode", "colour", "expected"),
    [
        ("abu.jpg", "L", 128, (128, 128, 128)),
        ("cetak.jpg", "CMYK", (0, 255, 255, 0), (255, 0, 0)),
        ("palet.png", "P", 0, (0, 0, 0)),
        ("abu-16bit.png", "I;16", 40000, (155, 155, 155)),
        ("hitam-putih.png", "1", 1, (255, 255, 255)),
        ("layar.webp", "RGB", BLUE, BLUE),
    ],
)
def test_every_colour_mode_comes_out_as_rgb(tmp_path: Path, name: str, mode: str, colour: object, expected: tuple[int, int, int]) -> None:
    entry = make_entry(tmp_path, foto=(name,))
    save_photo(entry.folder / name, size=(500, 400), colour=colour, mode=mode)  # type: ignore[arg-type]
    photos, problems = process_photos([entry], tmp_path / "cache")
    assert problems == []
    photo = photos[(entry.folder / name).resolve()]
    for path in outputs(photo):
        with Image.open(path) as out:
            assert out.mode == "RGB"
            assert _near(out.getpixel((5, 5)), expected, 6)


def test_animated_gif_takes_its_first_frame(tmp_path: Path) -> None:
    entry = make_entry(tmp_path, foto=("promo.gif",))
    frames = [Image.new("RGB", (480, 360), colour) for colour in (RED, BLUE, GREEN)]
    frames[0].save(entry.folder / "promo.gif", save_all=True, append_images=frames[1:], duration=200)
    photos, problems = process_photos([entry], tmp_path / "cache")
    assert problems == []
    for path in outputs(photos[(entry.folder / "promo.gif").resolve()]):
        with Image.open(path) as out:
            assert getattr(out, "n_frames", 1) == 1
            assert _near(out.convert("RGB").getpixel((5, 5)), RED, 40)


def test_heic_from_an_iphone_is_accepted(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    entry = make_entry(tmp_path, foto=("IMG_0001.HEIC",))
    try:
        save_photo(entry.folder / "IMG_0001.HEIC", size=(640, 480), format="HEIF", quality=80)
    except (OSError, KeyError, ValueError) as error:  # libheif built without an encoder
        pytest.skip(f"pillow-heif cannot write HEIC here: {error}")
    photos, problems = process_photos([entry], tmp_path / "cache")
    assert problems == []
    photo = photos[(entry.folder / "IMG_0001.HEIC").resolve()]
    assert [v.width for v in photo.webp] == [320, 640]
    assert photo.webp[0].uri.startswith(f"foto/{SLUG}/img-0001-")


# Names


def test_names_are_deterministic_and_outputs_byte_identical(tmp_path: Path) -> None:
    entry = make_entry(tmp_path, foto=("Foto Toko (1).JPG",), produk=(("galeri/kain.png",),))
    save_photo(entry.folder / "Foto Toko (1).JPG", format="JPEG", exif=phone_exif(6))
    save_photo(entry.folder / "galeri" / "kain.png", size=(900, 700), colour=BLUE)
    first, _ = process_photos([entry], tmp_path / "cache-a", workers=1)
    second, _ = process_photos([entry], tmp_path / "cache-b", workers=4)
    assert first.keys() == second.keys()
    for source, photo in first.items():
        again = second[source]
        assert [uri for uri, _ in photo.cache_files] == [uri for uri, _ in again.cache_files]
        for (uri, a), (_, b) in zip(photo.cache_files, again.cache_files, strict=True):
            assert a.read_bytes() == b.read_bytes(), uri
        assert photo.placeholder == again.placeholder
        assert re.fullmatch(r"#[0-9a-f]{6}", photo.placeholder)
    photo = first[(entry.folder / "Foto Toko (1).JPG").resolve()]
    pattern = rf"foto/{SLUG}/foto-toko-1-[0-9a-f]{{8}}-(thumb-)?\d+w\.(webp|jpg)"
    assert all(re.fullmatch(pattern, uri) for uri, _ in photo.cache_files)
    assert photo.webp[0].uri.endswith("-320w.webp") and photo.webp[0].mime == "image/webp"
    assert photo.thumb_webp[0].uri.endswith("-thumb-320w.webp")
    assert photo.jpeg.uri.endswith(f"-{photo.webp[-1].width}w.jpg") and photo.jpeg.mime == "image/jpeg"
    assert sum(uri.endswith(".jpg") for uri, _ in photo.cache_files) == 1  # six files a photo, not ten


def test_photo_field_names_the_first_reference(tmp_path: Path) -> None:
    entry = make_entry(tmp_path, foto=("a.jpg", "b.jpg"), produk=(("c.jpg",), ("d.jpg", "b.jpg")))
    assert photo_field(entry, "b.jpg") == "foto[1]"
    assert photo_field(entry, "d.jpg") == "produk[1].foto[0]"
    _, problems = process_photos([entry], tmp_path / "cache")
    assert [p.field for p in problems] == [
        "foto[0]",
        "foto[1]",
        "produk[0].foto[0]",
        "produk[1].foto[0]",
    ]


# Cache


def test_second_run_does_no_image_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = make_entry(tmp_path, foto=("a.jpg", "kecil.png"), produk=(("b.jpg",),))
    save_photo(entry.folder / "a.jpg", exif=phone_exif(6))
    save_photo(entry.folder / "b.jpg", colour=BLUE)
    save_photo(entry.folder / "kecil.png", size=(300, 200))
    cache = tmp_path / "cache"
    first, first_problems = process_photos([entry], cache)
    assert images.last_stats == images.PhotoStats(processed=3, cached=0, failed=0)
    manifest = (cache / images.MANIFEST_NAME).read_bytes()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("no image may be opened or read on a warm rebuild")

    monkeypatch.setattr(Image, "open", refuse)
    monkeypatch.setattr(images, "_read_source", refuse)
    second, second_problems = process_photos([entry], cache)
    assert images.last_stats == images.PhotoStats(processed=0, cached=3, failed=0)
    assert second == first
    assert second_problems == first_problems  # the small-photo warning is still reported
    assert (cache / images.MANIFEST_NAME).read_bytes() == manifest
    assert not list(cache.rglob("*.tmp"))


def test_changed_photo_redoes_only_its_own_variants(tmp_path: Path) -> None:
    entry = make_entry(tmp_path, foto=("a.jpg", "b.jpg", "c.jpg"))
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        save_photo(entry.folder / name)
    cache = tmp_path / "cache"
    before, _ = process_photos([entry], cache)
    save_photo(entry.folder / "b.jpg", colour=RED)
    after, _ = process_photos([entry], cache)
    assert images.last_stats == images.PhotoStats(processed=1, cached=2, failed=0)
    key = (entry.folder / "b.jpg").resolve()
    assert after[key].webp[0].uri != before[key].webp[0].uri  # new content, new name
    assert {k: v for k, v in after.items() if k != key} == {k: v for k, v in before.items() if k != key}


def test_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    entry = make_entry(tmp_path, foto=("a.jpg", "b.jpg"))
    save_photo(entry.folder / "a.jpg")
    save_photo(entry.folder / "b.jpg", colour=RED)
    cache = tmp_path / "cache"
    first, _ = process_photos([entry], cache)
    outputs(first[(entry.folder / "a.jpg").resolve()])[3].write_bytes(b"half")
    process_photos([entry], cache)
    assert images.last_stats == images.PhotoStats(processed=1, cached=1, failed=0)
    (cache / images.MANIFEST_NAME).write_text("{ rusak", encoding="utf-8")
    again, _ = process_photos([entry], cache)
    assert images.last_stats.processed == 2
    assert again == first


# Bad images


def test_each_bad_image_gets_its_message(tmp_path: Path) -> None:
    entry = make_entry(
        tmp_path,
        foto=("hilang.jpg", "teks.jpg", "terpotong.jpg", "besar.jpg", "bom.png"),
        produk=(("raksasa.png",), ("folder.jpg", "../lain/foto.jpg")),
    )
    folder = entry.folder
    (folder / "teks.jpg").write_text("ini bukan gambar", encoding="utf-8")
    whole = noisy_jpeg()
    (folder / "terpotong.jpg").write_bytes(whole[: len(whole) // 2])
    with (folder / "besar.jpg").open("wb") as file:
        file.truncate(21 * 1024 * 1024)  # sparse: no 21 MB actually written
    (folder / "bom.png").write_bytes(png_header(8000, 7000))  # 56 MP: our bound
    (folder / "raksasa.png").write_bytes(png_header(20000, 20000))  # Pillow's own bomb error
    (folder / "folder.jpg").mkdir()
    save_photo(tmp_path / "catalog" / "lain" / "foto.jpg")

    expected = [
        problem(entry, "foto[0]", "foto 'hilang.jpg' tidak ditemukan (photo file not found)"),
        problem(
            entry,
            "foto[1]",
            "isi berkas 'teks.jpg' bukan gambar JPEG, PNG, WebP, GIF atau HEIC (file content is not a supported image)",
        ),
        problem(
            entry,
            "foto[2]",
            "foto 'terpotong.jpg' rusak atau terpotong; simpan ulang lalu kirim lagi (image file is truncated or damaged)",
        ),
        problem(
            entry,
            "foto[3]",
            "foto 'besar.jpg' berukuran 21.0 MB, melebihi batas 20 MB (MAX_PHOTO_BYTES); perkecil dulu (photo file too large)",
        ),
        problem(
            entry,
            "foto[4]",
            "foto 'bom.png' berukuran 8000x7000 piksel, melebihi batas 50 megapiksel"
            " (MAX_PHOTO_MEGAPIXELS); perkecil dulu (image too large, possible decompression bomb)",
        ),
        problem(
            entry,
            "produk[0].foto[0]",
            "foto 'raksasa.png' melebihi batas 50 megapiksel (MAX_PHOTO_MEGAPIXELS);"
            " perkecil dulu (image too large, possible decompression bomb)",
        ),
        problem(
            entry,
            "produk[1].foto[0]",
            "foto 'folder.jpg' tidak dapat dibaca (photo file cannot be read)",
        ),
        problem(
            entry,
            "produk[1].foto[1]",
            "foto '../lain/foto.jpg' harus berada di dalam folder entri (photo must be inside the entry folder)",
        ),
    ]
    photos, problems = process_photos([entry], tmp_path / "cache")
    assert photos == {}
    assert problems == sorted(expected, key=Problem.sort_key)
    assert images.last_stats == images.PhotoStats(processed=0, cached=0, failed=7)
    assert check_photos([entry]) == problems
    assert problems[0].format(tmp_path) == (f"catalog/{SLUG}/index.md: foto[0]: foto 'hilang.jpg' tidak ditemukan (photo file not found)")


def test_unused_and_small_photos_are_warned_about(tmp_path: Path) -> None:
    entry = make_entry(tmp_path, foto=("kecil.jpg",))
    save_photo(entry.folder / "kecil.jpg", size=(390, 260))
    save_photo(entry.folder / "lama.JPG", format="JPEG")
    save_photo(entry.folder / "arsip" / "2019.png")
    (entry.folder / "catatan.txt").write_text("bukan foto", encoding="utf-8")
    expected = sorted(
        [
            problem(
                entry,
                "foto[0]",
                "foto 'kecil.jpg' terlalu kecil (390x260 piksel); sisi terpanjang sebaiknya minimal 400 piksel (photo too small)",
                WARNING,
            ),
            problem(
                entry,
                "",
                "foto tidak dipakai: 'arsip/2019.png' tidak dirujuk oleh field mana pun (unused photo)",
                WARNING,
            ),
            problem(
                entry,
                "",
                "foto tidak dipakai: 'lama.JPG' tidak dirujuk oleh field mana pun (unused photo)",
                WARNING,
            ),
        ],
        key=Problem.sort_key,
    )
    photos, problems = process_photos([entry], tmp_path / "cache")
    assert problems == expected
    assert len(photos) == 1  # warnings do not stop the photo from being published
    assert check_photos([entry]) == expected


def test_check_photos_writes_nothing(tmp_path: Path) -> None:
    entry = make_entry(tmp_path, foto=("a.jpg", "terpotong.jpg"))
    save_photo(entry.folder / "a.jpg", size=(1600, 1200))
    whole = noisy_jpeg()
    (entry.folder / "terpotong.jpg").write_bytes(whole[: len(whole) // 2])
    before = sorted(tmp_path.rglob("*"))
    problems = check_photos([entry])
    assert sorted(tmp_path.rglob("*")) == before
    assert [p.field for p in problems] == ["foto[1]"]
    assert "rusak atau terpotong" in problems[0].message


def test_check_warns_about_gps_in_the_repository(tmp_path: Path) -> None:
    from generator.builder.images import check_photos

    folder = tmp_path / "catalog" / "usaha"
    (folder / "foto").mkdir(parents=True)
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (6.0, 17.0, 24.0)
    Image.new("RGB", (800, 600), (1, 2, 3)).save(folder / "foto" / "hp.jpg", exif=exif)
    entry = Entry(slug="usaha", source=folder / "index.md", nama="U", sektor="kuliner", kecamatan="Setu", ringkasan="R", foto=("foto/hp.jpg",))
    messages = [p.message for p in check_photos([entry])]
    assert any("memuat lokasi GPS" in m and "umkm bersihkan-foto" in m for m in messages)


def test_a_symlink_loop_is_a_message_not_a_crash(tmp_path: Path) -> None:
    entry = make_entry(tmp_path, foto=("putar.jpg",))
    (entry.folder / "putar.jpg").symlink_to("putar.jpg")  # points at itself
    (entry.folder / "foto").mkdir()
    (entry.folder / "foto" / "lingkar.jpg").symlink_to("lingkar.jpg")  # an unreferenced loop
    for problems in (check_photos([entry]), process_photos([entry], tmp_path / "cache")[1]):
        assert any(p.field == "foto[0]" and "tidak dapat dibaca" in p.message for p in problems)

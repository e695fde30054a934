"""Submitted issue forms turned back into entries (`umkm from-issue`).

GitHub renders a submitted form as Markdown (`### Label`, a blank line, the value; `_No response_`
when empty); `parse_issue` reads that back by the labels of `forms.form_fields`, and
`entry_from_issue` turns the values into `write.Change`s applied to a new or an existing entry,
written only when the validator accepts it. `report_markdown` is the reply posted on the issue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.builder.load import SLUG, load_entry
from generator.builder.validate import clean_text
from generator.core.integrity import Classification, Requester, change_report, classify_change, first_managers, is_staff, md
from generator.core.links import NEW, UPDATE
from generator.core.models import Region
from generator.core.privacy import find_niks
from generator.core.problems import ERROR, WARNING, Problem, errors_in
from generator.core.region import slugify
from generator.core.schema import PHOTO_LIST, Field
from generator.intake.fetch import GITHUB_PHOTO_SOURCES, Budget, Photo, PhotoError, check_source, fetch_photo
from generator.intake.forms import CLEAR, CONSENT_LABEL, MAX_SLUG, NO_RESPONSE, FormField, choice_value, form_fields, slug_field
from generator.intake.write import Change, ChangeError, FieldPath, Match, Written, apply_changes, origin_of, write_entry

_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_PHOTO_TOKEN = re.compile(r"!?\[[^\]]*\]\(\s*(https?://[^\s)]+)[^)]*\)|<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>", re.IGNORECASE)
_CHECKBOX = re.compile(r"^- \[([ xX])\] (.+)$")


@dataclass(frozen=True)
class Message:
    """Something to tell the person who filled in the form, named by the form's own words."""

    where: str  # a form label, or "" for the whole submission
    text: str
    level: str = ERROR

    def format(self) -> str:
        prefix = "" if self.level == ERROR else f"{self.level}: "
        return f"{self.where}: {prefix}{self.text}" if self.where else f"{prefix}{self.text}"


@dataclass(frozen=True)
class PhotoRequest:
    """Photos to download for one photo list of the entry."""

    path: FieldPath
    urls: tuple[str, ...]
    origin: str


@dataclass
class Submission:
    """A submitted form, read: what it changes and anything wrong with it."""

    kind: str
    slug: str = ""
    changes: list[Change] = field(default_factory=list)
    photos: list[PhotoRequest] = field(default_factory=list)
    story: str | None = None  # None: not given
    messages: list[Message] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # raw text by form label


def detect_kind(body: str) -> str:
    """Which form an issue body came from: the update form asks for the slug first."""
    return UPDATE if re.search(rf"^### {re.escape(slug_field().label)}\s*$", _normalise(body), re.MULTILINE) else NEW


def parse_issue(body: str, kind: str, region: Region) -> Submission:
    """Read the values of a submitted form, then what they change."""
    values = read_sections(_normalise(body), [f.label for f in form_fields(kind, region) if f.label])
    submission = Submission(kind, values=values)
    if not values:
        submission.messages.append(
            Message("", "isi issue ini bukan formulir katalog; gunakan tombol 'Daftarkan usaha' atau 'Perbarui data usaha'")
        )
        return submission
    _read_values(submission, form_fields(kind, region), region)
    return submission


def read_sections(body: str, labels: Sequence[str]) -> dict[str, str]:
    """Each `### Label` section's text, looked up in form order so a story's own headings stay text."""
    found: list[tuple[int, int, str]] = []
    position = 0
    for label in labels:
        match = re.compile(rf"^### {re.escape(label)}[ \t]*$", re.MULTILINE).search(body, position)
        if match:
            found.append((match.start(), match.end(), label))
            position = match.end()
    values = {}
    for i, (_, end, label) in enumerate(found):
        stop = found[i + 1][0] if i + 1 < len(found) else len(body)
        text = body[end:stop].strip("\n").strip()
        values[label] = "" if text == NO_RESPONSE else text
    return values


def _normalise(body: str) -> str:
    return body.replace("\r\n", "\n").replace("\r", "\n")


def _read_values(sub: Submission, fields: list[FormField], region: Region) -> None:
    update = sub.kind == UPDATE
    slots: dict[tuple[str, int], list[tuple[FormField, str]]] = {}
    for f in fields:
        text = sub.values.get(f.label, "") if f.label else ""
        if f.role == "slot":
            slots.setdefault((f.path[0], f.slot), []).append((f, text))
            continue
        if not text:
            continue
        if f.role == "slug":
            sub.slug = _read_slug(text)
            if not SLUG.match(sub.slug):
                sub.messages.append(Message(f.label, f"'{text}' bukan alamat halaman usaha yang dikenal (misalnya keripik-sari-rasa)"))
        elif f.role == "consent":
            unchecked = [m.group(2) for line in text.splitlines() if (m := _CHECKBOX.match(line.strip())) and m.group(1) == " "]
            if unchecked:
                sub.messages.append(Message(f.label, f"pernyataan belum dicentang: {unchecked[0]}"))
        elif update and text == CLEAR:
            if f.spec is not None and f.spec.required and f.role == "value":
                sub.messages.append(Message(f.label, "kolom wajib tidak dapat dihapus"))
            elif f.role == "story":
                sub.story = ""
            else:
                sub.changes.append(Change(f.path, None, f.label))
        elif f.role == "value":
            assert f.spec is not None
            sub.changes.append(Change(f.path, _scalar(f.spec, text, region), f.label))
        elif f.role == "story":
            sub.story = clean_text(text, multiline=True).strip("\n") + "\n"
        elif f.role == "photos":
            urls = photo_urls(text)
            if urls:
                sub.photos.append(PhotoRequest(f.path, tuple(urls), f.label))
            else:
                sub.messages.append(Message(f.label, "tidak ada foto yang terbaca; seret berkas foto ke kotak ini"))
        elif f.role == "lines":
            _read_lines(sub, f, text, region)
    for _, group in sorted(slots.items()):
        _read_slot(sub, group, region, update)
    consent = next((f for f in fields if f.role == "consent"), None)
    if consent is not None and not sub.values.get(consent.label):
        sub.messages.append(Message(consent.label, "pernyataan belum dicentang"))
    if update and not (sub.changes or sub.photos or sub.story is not None):
        sub.messages.append(Message("", "tidak ada bagian yang diisi, jadi tidak ada yang diubah"))


def _scalar(spec: Field, text: str, region: Region) -> str:
    value = clean_text(text)
    return choice_value(region, spec.vocabulary, value) if spec.type == "choice" else value


def _read_slot(sub: Submission, group: list[tuple[FormField, str]], region: Region, update: bool) -> None:
    filled = [(f, text) for f, text in group if text]
    if not filled:
        return
    key_field, key_text = group[0]
    assert key_field.child is not None and key_field.spec is not None
    if not key_text and key_field.child.vocabulary == "platform":
        key_text = _platform_of(region, " ".join(text for _, text in filled))
    if not key_text:
        sub.messages.append(Message(key_field.label, f"pilih {key_field.child.label.lower()} untuk isian {filled[0][0].label}"))
        return
    key = _scalar(key_field.child, key_text, region)
    base: FieldPath = (key_field.spec.name, Match(key_field.child.name, key))
    for f, text in filled:
        assert f.child is not None
        if f is key_field:
            sub.changes.append(Change((*base, f.child.name), key, f.label))
        elif update and text == CLEAR:
            sub.changes.append(Change((*base, f.child.name), None, f.label))
        else:
            sub.changes.append(Change((*base, f.child.name), _scalar(f.child, text, region), f.label))


def _platform_of(region: Region, text: str) -> str:
    """The marketplace a shop address belongs to, when the owner pasted the address but chose no platform."""
    host = (urlsplit(text.strip()).hostname or "").lower()
    for platform in region.platforms:
        if host and any(host == d or host.endswith(f".{d}") for d in platform.domains):
            return platform.key
    return ""


def _read_lines(sub: Submission, f: FormField, text: str, region: Region) -> None:
    assert f.spec is not None
    spec = f.spec
    if not spec.fields:  # a list of text: one value per line
        sub.changes.append(Change(f.path, [clean_text(line) for line in text.splitlines() if clean_text(line)], f.label))
        return
    columns = [c for c in spec.fields if c.type != "list"]
    photo_child = next((c for c in spec.fields if c is PHOTO_LIST), None)
    key_child = columns[0]
    previous: FieldPath | None = None
    pending_photos: dict[FieldPath, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        urls = [a or b for a, b in _PHOTO_TOKEN.findall(line)]
        rest = _PHOTO_TOKEN.sub(" ", line).strip().strip("|").strip()
        where = f"{f.label}, baris {number}"
        if not rest:
            if urls and previous is not None and photo_child is not None:
                pending_photos.setdefault((*previous, photo_child.name), []).extend(urls)
            elif urls:
                sub.messages.append(
                    Message(
                        where, f"foto tanpa {key_child.label.lower()}; tulis baris {key_child.label.lower()} dulu, lalu foto di baris itu"
                    )
                )
            continue
        parts = [clean_text(p) for p in rest.split("|")]
        if len(parts) > len(columns):
            sub.messages.append(
                Message(
                    where, f"terlalu banyak bagian ({len(parts)}; paling banyak {len(columns)}: {' | '.join(c.label for c in columns)})"
                )
            )
            continue
        if not parts[0]:
            sub.messages.append(Message(where, f"{key_child.label.lower()} wajib diisi di bagian pertama"))
            continue
        base: FieldPath = (spec.name, Match(key_child.name, parts[0]))
        previous = base
        for column, value in zip(columns, parts, strict=False):
            if value:
                sub.changes.append(Change((*base, column.name), _scalar(column, value, region), where))
        if urls and photo_child is not None:
            pending_photos.setdefault((*base, photo_child.name), []).extend(urls)
    for path, urls in pending_photos.items():
        sub.photos.append(PhotoRequest(path, tuple(dict.fromkeys(urls)), f.label))


def photo_urls(text: str) -> list[str]:
    """Every address in a photo box: Markdown images, `<img>` tags and bare links, in order."""
    return list(dict.fromkeys(_URL.findall(text)))


def _read_slug(text: str) -> str:
    text = text.strip().strip("/")
    if "://" in text:
        text = urlsplit(text).path.strip("/").split("/")[-1]
    return text.strip().lower()


def slug_for(nama: str) -> str:
    """The folder name for a new business: its name in lowercase with hyphens, cut at a word."""
    slug = slugify(nama)
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0]
    return slug


@dataclass(frozen=True)
class IssueResult:
    slug: str
    nama: str
    messages: list[Message]
    written: Written | None
    classification: Classification | None = None  # who asked and what it changes (integrity.py)

    @property
    def ok(self) -> bool:
        return self.written is not None and self.written.written

    @property
    def needs_verification(self) -> bool:
        """Written, but an update by someone else: the Dinas confirms it before it may be merged."""
        return self.ok and self.classification is not None and self.classification.needs_verification


def entry_from_issue(
    body: str,
    *,
    catalog_dir: Path,
    region: Region,
    today: date,
    check: Callable[[Path], list[Problem]],
    kind: str | None = None,
    photo_sources: Sequence[str] | None = GITHUB_PHOTO_SOURCES,
    fetch: Callable[..., Photo] = fetch_photo,
    schema_ref: str | None = None,
    requester: Requester | None = None,
) -> IssueResult:
    """Turn a submitted form into `catalog/<slug>/`, written only when it passes the validator.

    `requester` is who filed the issue (its author): a new business gets them as its manager, and
    an update is classified by `integrity.classify_change` (an update by someone else is written,
    so its pull request can be reviewed, but reported as "perlu verifikasi", never as passed)."""
    kind = kind or detect_kind(body)
    sub = parse_issue(body, kind, region)
    for match in find_niks(body):  # anywhere in the issue, read or not: the issue itself is public
        sub.messages.append(
            Message(
                "",
                f"isi issue memuat nomor seperti NIK (nomor KTP) ({match.masked}); ubah issue ini dan hapus nomor itu, "
                "karena issue dapat dibaca siapa saja",
            )
        )
    target = target_entry(sub, catalog_dir)
    order = [f.label for f in form_fields(kind, region) if f.label]
    common: dict[str, Any] = {"catalog_dir": catalog_dir, "region": region, "today": today, "check": check, "requester": requester, "target": target, "order": order}
    if kind == UPDATE and not target[1]:
        return write_submission(sub, [], **common)
    photos: list[PhotoSet] = []
    for request in sub.photos:
        for url in request.urls:
            try:
                check_source(url, photo_sources)
            except PhotoError as exc:
                sub.messages.append(Message(request.origin, exc.message))
    if not errors_in_messages(sub.messages):  # photos are fetched only for a submission that can be written
        budget = Budget()  # one deadline for all the photos of the issue
        for request in sub.photos:
            files = []
            for url in request.urls:
                try:
                    photo = fetch(url, sources=photo_sources, budget=budget)
                except PhotoError as exc:
                    sub.messages.append(Message(request.origin, exc.message))
                    continue
                files.append((photo.name, photo.data))
            photos.append(PhotoSet(request.path, request.origin, tuple(files)))
    return write_submission(sub, photos, schema_ref=schema_ref, **common)


@dataclass(frozen=True)
class PhotoSet:
    """Photos handed in for one photo list of the entry (they replace the list), with where they came from."""

    path: FieldPath
    origin: str
    files: tuple[tuple[str, bytes], ...]  # (file name in the entry folder, content)


def write_submission(
    sub: Submission,
    photos: Sequence[PhotoSet],
    *,
    catalog_dir: Path,
    region: Region,
    today: date,
    check: Callable[[Path], list[Problem]],
    requester: Requester | None = None,
    schema_ref: str | None = None,
    target: tuple[str, dict[str, Any], str] | None = None,
    order: Sequence[str] = (),
    dry_run: bool = False,
) -> IssueResult:
    """Apply a read submission (any way in: issue form, phone message) to a new or existing entry,
    classify who asks (`integrity.classify_change`) and write it through the staged, validated
    writer; every problem is named by the submission's own labels. `dry_run` checks without writing."""
    requester = requester or Requester.unknown()
    slug, existing, story = target or target_entry(sub, catalog_dir)
    nama = next((str(c.value) for c in sub.changes if c.path == ("nama",) and c.value), "") or str(existing.get("nama", "")) or slug
    if sub.kind == UPDATE and not existing:
        return IssueResult(slug, nama, sub.messages, None)
    files: dict[str, bytes] = {}
    changes = list(sub.changes)
    for photo_set in photos:
        files.update(photo_set.files)
        changes.append(Change(photo_set.path, list(dict.fromkeys(name for name, _ in photo_set.files)), photo_set.origin))
    # Every way in reaches this only with the consent boxes all ticked (else it has an error above):
    # the consent is recorded with its date.
    consent = Change(("persetujuan",), today.isoformat(), CONSENT_LABEL)
    try:
        data, origins = apply_changes(existing, [*changes, Change(("diperbarui",), today.isoformat()), consent])
    except ChangeError as exc:
        return IssueResult(slug, nama, [*sub.messages, Message("", str(exc))], None)
    managers = first_managers(requester)
    if sub.kind == NEW and managers and not is_staff(requester, region):
        data["pengelola"] = managers  # the first registration: its author manages the listing
    old_story = story
    if sub.story is not None:
        story = sub.story
    classification = None
    if slug and (sub.kind == NEW or existing):
        classification = classify_change(
            existing or None, data, requester, region, slug=slug, story_before=old_story if existing else None, story_after=story
        )
        sub.messages += [Message("", text) for text in classification.refused]
    # Checked even when the form itself has errors, so the owner gets every message in one reply.
    kwargs = {"schema_ref": schema_ref} if schema_ref else {}
    blocked = bool(errors_in_messages(sub.messages)) or not slug
    folder = catalog_dir / (slug or "usaha-baru")
    if sub.kind == NEW and folder.exists():  # a name already taken (reported above): check beside it, never over it
        folder = catalog_dir / f".{folder.name}-periksa"
    written = write_entry(folder, data, story, files, check=check, dry_run=blocked or dry_run, **kwargs)
    messages = sub.messages + [_message(p, origins) for p in written.problems]
    return IssueResult(slug, nama, _in_form_order(messages, order), written, classification)


def _in_form_order(messages: list[Message], labels: Sequence[str]) -> list[Message]:
    """Messages in the order the owner sees the form (a line of a list goes with its field)."""
    position = {label: i for i, label in enumerate(labels)}
    return sorted(messages, key=lambda m: position.get(m.where.split(", baris ")[0], -1 if not m.where else len(position)))


def target_entry(sub: Submission, catalog_dir: Path) -> tuple[str, dict[str, Any], str]:
    """The entry's slug, its current data and story (empty for a new business)."""
    if sub.kind == UPDATE:
        folder = catalog_dir / sub.slug
        if not sub.slug:
            sub.messages.append(Message(slug_field().label, "wajib diisi: alamat halaman usaha yang akan diperbarui"))
            return "", {}, ""
        if not SLUG.match(sub.slug) or not (folder / "index.md").is_file():
            if SLUG.match(sub.slug):
                sub.messages.append(
                    Message(
                        slug_field().label, f"usaha '{sub.slug}' belum ada di katalog; untuk usaha baru gunakan formulir Daftarkan usaha"
                    )
                )
            return sub.slug, {}, ""
        raw, problems = load_entry(folder)
        if raw is None or not isinstance(raw.doc.data, dict) or errors_in(problems):
            sub.messages.append(Message("", f"data usaha '{sub.slug}' di katalog sedang rusak; petugas Dinas akan memperbaikinya dulu"))
            return sub.slug, {}, ""
        return sub.slug, dict(raw.doc.data), raw.body
    nama = next((str(c.value) for c in sub.changes if c.path == ("nama",) and c.value), "")
    slug = slug_for(nama)
    if nama and not slug:
        sub.messages.append(Message("Nama usaha", "nama usaha harus memuat huruf atau angka latin"))
    if slug and (catalog_dir / slug).exists():
        kecamatan = next((str(c.value) for c in sub.changes if c.path == ("kecamatan",) and c.value), "")
        existing, _ = load_entry(catalog_dir / slug)
        same_place = (
            existing is not None
            and isinstance(existing.doc.data, dict)
            and slugify(str(existing.doc.data.get("kecamatan", ""))) == slugify(kecamatan)
        )
        alternative = f"{slug}-{slugify(kecamatan)}" if kecamatan else ""
        if same_place or not alternative or (catalog_dir / alternative).exists():
            sub.messages.append(
                Message(
                    "Nama usaha",
                    f"usaha bernama '{nama}' sudah ada di katalog (/usaha/{slug}/); bila itu usaha Anda, gunakan formulir Perbarui data usaha",
                )
            )
        else:
            slug = alternative
    return slug, {}, ""


def _message(problem: Problem, origins: dict[str, str]) -> Message:
    origin = origin_of(problem.field, origins)
    text = problem.message if origin or not problem.field else f"{problem.field}: {problem.message}"
    return Message(origin, text, problem.level)


def errors_in_messages(messages: Sequence[Message]) -> list[Message]:
    return [m for m in messages if m.level == ERROR]


def report_markdown(result: IssueResult, *, region: Region | None = None, catalog_name: str = "", reference: str = "", page_url: str = "") -> str:
    """The comment posted back on the issue, in plain Indonesian.

    It never says "lolos" for an update by someone else: that one says "perlu verifikasi" and what
    the clerk must do. With the region, every reply lists the sensitive changes before → after."""
    errors = errors_in_messages(result.messages)
    warnings = [m for m in result.messages if m.level == WARNING]
    lines: list[str] = []
    if result.needs_verification:
        lines.append(
            f"Terima kasih! Data **{md(result.nama)}** terbaca tanpa kesalahan, tetapi **perlu verifikasi**: pengirim issue ini "
            "bukan pengelola usaha yang tercatat, jadi petugas Dinas akan memastikan perubahan ini langsung kepada pemilik usaha "
            "lewat kontak yang sudah tercatat sebelum data tampil."
        )
    elif result.ok:
        lines.append(
            f"Terima kasih! Data **{md(result.nama)}** lolos pemeriksaan otomatis dan diteruskan ke petugas Dinas untuk ditinjau."
        )
    if result.ok:
        if warnings:
            lines += ["", "Beberapa hal sebaiknya diperbaiki (ubah issue ini bila bisa):", ""]
            lines += [_bullet(m) for m in warnings]
    else:
        lines.append("Terima kasih! Data belum dapat diproses karena hal berikut:")
        lines += ["", *[_bullet(m) for m in errors or result.messages], ""]
        lines.append(
            "Silakan **ubah issue ini** (menu ··· di kanan atas isi issue, lalu *Edit*), perbaiki bagian di atas, lalu simpan. Pemeriksaan akan berjalan lagi otomatis."
        )
        if warnings and errors:
            lines += ["", "Catatan lain:", "", *[_bullet(m) for m in warnings]]
    if result.ok and result.classification is not None and region is not None:
        report = change_report(result.classification, region=region, catalog_name=catalog_name, reference=reference, page_url=page_url)
        lines += ["", "---", "", report.rstrip("\n")]
    return "\n".join(lines) + "\n"


def _bullet(message: Message) -> str:
    where = f"**{md(message.where)}**: " if message.where else ""
    return f"- {where}{md(message.text)}"

"""Listing integrity: is the person asking allowed to change this business?

Every way in answers that one question here before anything is published: the issue forms
(`umkm from-issue --pengirim LOGIN`), the pull-request check (`umkm periksa-pr`, the PR author
against every entry it touches), the Dinas' spreadsheet import, and the phone path (a sender's
number compared with the WhatsApp on file). `classify_change(before, after, requester, region)`
sorts a change into one of four kinds:

- a new business (`usaha-baru`): its first registration; a GitHub requester becomes its manager;
- an update by a manager (`pengelola`): a login in the entry's private `pengelola` list, or the
  sender of a message from the WhatsApp number on file;
- an update by someone else (`orang-lain`): never passed automatically; the Dinas confirms it with
  the business through the contact already on file ("perlu verifikasi");
- a change by Dinas staff (`dinas`): a login listed in the region file's `dinas.petugas`.

Fields the schema marks `staff_only` (`pengelola`, `diverifikasi`, `diturunkan`) may be set or
changed only by Dinas staff; anyone else's change to them is refused. Fields marked `sensitive`
(contacts, shop and product links, NIB, certificate numbers, owner) are listed before → after in
every report, whoever asks, with phone numbers masked: the reports are public (issue replies, pull
request comments, CI logs). The managers' logins themselves never appear in a report.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers

from generator.core.links import whatsapp_url
from generator.core.models import Catalog, Entry, Region
from generator.core.privacy import mask_chat_link, mask_phone, redact_text
from generator.core.problems import INFO, Problem
from generator.core.schema import ENTRY, STORY, Field

NEW = "usaha-baru"
MANAGER = "pengelola"
OTHER = "orang-lain"
DINAS = "dinas"
KIND_LABELS = {
    NEW: "usaha baru",
    MANAGER: "pembaruan oleh pengelola usaha",
    OTHER: "pembaruan oleh orang lain: perlu verifikasi",
    DINAS: "perubahan oleh petugas Dinas",
}

GITHUB = "github"
PHONE = "telepon"
STAFF = "petugas"  # a Dinas tool run by staff on their own machine (`umkm import`)
UNKNOWN = "tidak-diketahui"

MANAGERS_FIELD = "pengelola"
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
_MAX_MESSAGE_CHANGES = 6  # changes named in the confirmation message; the rest are counted


@dataclass(frozen=True)
class Requester:
    """Who asks for a change: a GitHub login, a phone number, Dinas staff at a tool, or nobody known."""

    kind: str  # GITHUB, PHONE, STAFF or UNKNOWN
    id: str = ""  # the login as written (without "@"), or the number's international digits

    @classmethod
    def github(cls, login: str) -> Requester:
        login = login.strip().removeprefix("@")
        return cls(GITHUB, login) if login else cls(UNKNOWN)

    @classmethod
    def phone(cls, number: str) -> Requester:
        """A sender's number as the clerk sees it in WhatsApp (`0812-...`, `+62 812 ...`)."""
        digits = phone_digits(number)
        return cls(PHONE, digits) if digits else cls(UNKNOWN)

    @classmethod
    def staff(cls, tool: str = "") -> Requester:
        return cls(STAFF, tool)

    @classmethod
    def unknown(cls) -> Requester:
        return cls(UNKNOWN)

    def public_name(self) -> str:
        """How a public report names the requester: a login as is, a phone number masked."""
        if self.kind == GITHUB:
            return f"akun GitHub @{self.id}"
        if self.kind == PHONE:
            return f"nomor {mask_phone('+' + self.id)}"
        if self.kind == STAFF:
            return f"petugas Dinas ({self.id})" if self.id else "petugas Dinas"
        return "pengirim yang tidak diketahui"


@dataclass(frozen=True)
class FieldChange:
    """One sensitive or Dinas-only value before and after, as a public report may show it."""

    label: str  # the schema's words, e.g. "Nomor WhatsApp", "Toko online tokopedia: Alamat toko"
    path: str  # dotted schema path, e.g. "kontak.whatsapp", "toko_online.url"
    before: str  # "" when there was none
    after: str  # "" when it is removed


@dataclass(frozen=True)
class Classification:
    """What a change is, who asked, what it changes and whether it may pass without the Dinas."""

    kind: str  # NEW, MANAGER, OTHER or DINAS
    slug: str
    nama: str  # the business name (after the change, else before)
    requester: Requester
    changes: tuple[FieldChange, ...]
    refused: tuple[str, ...]  # Dinas-only fields changed by someone else, in Indonesian
    contact_on_file: str = ""  # WhatsApp digits on file before the change: where the Dinas confirms
    public_contact: bool = False  # that number is on the published page (the listing is not hidden)
    verified_on: str = ""  # the entry's `diverifikasi` before the change, as written ("" if none)

    @property
    def needs_verification(self) -> bool:
        return self.kind == OTHER

    @property
    def passed(self) -> bool:
        """Passes without the Dinas confirming it first (human review still applies)."""
        return not self.refused and self.kind != OTHER

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def codeowners_problems(codeowners: str, region: Region, *, path: str = "/catalog/") -> list[str]:
    """Where `.github/CODEOWNERS` disagrees with `dinas.petugas`: the owners of the catalog must be
    exactly the Dinas' staff, whose approval is what verifies a change (CONTRIBUTING.md)."""
    rules = [line.split() for line in codeowners.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    owners = next((rule[1:] for rule in reversed(rules) if rule[0] == path), None)
    if owners is None:
        return [f"tidak ada aturan '{path}' di CODEOWNERS; tulis: {path} " + " ".join(f"@{p}" for p in region.petugas)]
    named = {o.removeprefix("@").casefold() for o in owners}
    staff = {p.casefold() for p in region.petugas}
    problems = [f"{path}: @{o} bukan petugas di wilayah.yml (dinas.petugas)" for o in sorted(named - staff)]
    problems += [f"{path}: petugas @{p} tidak disebut di CODEOWNERS" for p in sorted(staff - named)]
    return problems


# --- takedown -----------------------------------------------------------------------------------------


def published_catalog(catalog: Catalog) -> Catalog:
    """The catalog without the listings the Dinas took down (`diturunkan`): nothing of theirs is
    published (page, cards, search, open data, sitemap, statistics, photos), their data stays."""
    if not any(e.hidden for e in catalog.entries):
        return catalog
    return dataclasses.replace(catalog, entries=tuple(e for e in catalog.entries if not e.hidden))


def integrity_notes(entries: Sequence[Entry]) -> list[Problem]:
    """`umkm check` information for the entries checked: verified or not, hidden or not (never
    who manages them, and never the takedown's reason: CI logs are public)."""
    notes = []
    for entry in entries:
        if entry.diturunkan is not None:
            notes.append(
                Problem(entry.source, None, "diturunkan", "usaha ini diturunkan: tidak tampil di situs; hapus blok diturunkan untuk menampilkannya", INFO)
            )
        stamp = f"ya, {entry.diverifikasi.isoformat()}" if entry.diverifikasi else "belum diverifikasi petugas Dinas"
        notes.append(Problem(entry.source, None, "diverifikasi", stamp, INFO))
    return notes


# --- the rule ---------------------------------------------------------------------------------------


def classify_change(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    requester: Requester,
    region: Region,
    *,
    slug: str = "",
    story_before: str | None = None,
    story_after: str | None = None,
) -> Classification:
    """Classify one entry's change: `before`/`after` are front matter as the strict loader reads it
    (every scalar text), None for an entry that does not exist (yet, or any more)."""
    old = dict(before or {})
    new = dict(after or {})
    staff = is_staff(requester, region)
    if staff:
        kind = DINAS
    elif before is None:
        kind = NEW
    elif is_manager(requester, old):
        kind = MANAGER
    else:
        kind = OTHER
    changes = list(sensitive_changes(old, new, story_before, story_after))
    if before is not None and after is None:
        changes.insert(0, FieldChange("Entri usaha", "", "ada", "dihapus"))
    refused = () if staff else _refused(old, new, requester, new_entry=before is None, removed=after is None)
    nama = str((new or old).get("nama") or slug)
    contact = phone_digits(_text(_get(old, ("kontak", "whatsapp"))))
    return Classification(
        kind=kind,
        slug=slug,
        nama=nama,
        requester=requester,
        changes=tuple(changes),
        refused=refused,
        contact_on_file=contact,
        public_contact=bool(contact) and not old.get("diturunkan"),
        verified_on=_text(old.get("diverifikasi")).strip(),
    )


def is_staff(requester: Requester, region: Region) -> bool:
    """Dinas staff: a login listed in `dinas.petugas`, or a Dinas tool run by staff."""
    if requester.kind == STAFF:
        return True
    return requester.kind == GITHUB and requester.id.casefold() in {login.casefold() for login in region.petugas}


def is_manager(requester: Requester, data: Mapping[str, Any]) -> bool:
    """A manager of the entry: a login in its `pengelola`, or a sender from the WhatsApp number on file."""
    if requester.kind == GITHUB:
        return requester.id.casefold() in {login.casefold() for login in managers_of(data)}
    if requester.kind == PHONE:
        on_file = phone_digits(_text(_get(data, ("kontak", "whatsapp"))))
        return bool(on_file) and on_file == requester.id
    return False


def managers_of(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The logins in an entry's private `pengelola` list, as written (without "@")."""
    value = data.get(MANAGERS_FIELD)
    items = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    return tuple(str(v).strip().removeprefix("@") for v in items if str(v).strip())


def first_managers(requester: Requester) -> list[str] | None:
    """What a new business's `pengelola` is set to at its first registration (None: left unset).

    A GitHub requester becomes the manager; a phone requester does not need to be written down,
    because the WhatsApp number on file is the phone of record (SECURITY.md)."""
    return [requester.id] if requester.kind == GITHUB else None


def phone_digits(text: str) -> str:
    """A phone number as international digits (`0812-1934-5521` → `6281219345521`), "" if it is none."""
    if not text or not text.strip():
        return ""
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return f"{number.country_code}{number.national_number}"


def _refused(old: dict[str, Any], new: dict[str, Any], requester: Requester, *, new_entry: bool, removed: bool) -> tuple[str, ...]:
    messages = []
    for spec in ENTRY.fields:
        if not spec.staff_only or removed:
            continue
        before, after = old.get(spec.name), new.get(spec.name)
        if new_entry and spec.name == MANAGERS_FIELD:
            wanted = first_managers(requester)
            got = list(managers_of(new))
            if wanted is None and got:
                messages.append(f"{spec.label}: hanya petugas Dinas yang mengisinya untuk pendaftaran ini; hapus kolom {spec.name}")
            elif wanted is not None and [g.casefold() for g in got] != [w.casefold() for w in wanted]:
                messages.append(
                    f"{spec.label}: usaha baru dikelola akun pendaftarnya; tulis tepat '{spec.name}: [{wanted[0]}]' "
                    "(pengelola lain ditambahkan petugas Dinas)"
                )
            continue
        if _normal(spec, before) != _normal(spec, after):
            messages.append(f"{spec.label}: hanya petugas Dinas yang boleh mengisi atau mengubahnya")
    return tuple(messages)


# --- what changed ------------------------------------------------------------------------------------


def sensitive_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], story_before: str | None = None, story_after: str | None = None
) -> list[FieldChange]:
    """Every sensitive and Dinas-only value that differs, in schema order, as public text."""
    out: list[FieldChange] = []
    for spec in ENTRY.fields:
        out += _field_changes(spec, before.get(spec.name), after.get(spec.name), spec.label, spec.name)
    if story_before is not None and story_after is not None and story_before.strip() != story_after.strip():
        old_links = Counter(_URL_IN_TEXT.findall(story_before))
        new_links = Counter(_URL_IN_TEXT.findall(story_after))
        out.append(FieldChange(STORY.label, STORY.name, "", "diubah (lihat perubahannya)"))
        out += [FieldChange(f"{STORY.label}: tautan", STORY.name, "", mask_chat_link(url)) for url in sorted((new_links - old_links).elements())]
    return out


def _field_changes(spec: Field, before: Any, after: Any, label: str, path: str) -> list[FieldChange]:
    if spec.staff_only and spec.private:
        # Private Dinas fields: that they changed is public, what they hold is not.
        if _normal(spec, before) == _normal(spec, after):
            return []
        state = "diisi" if before in (None, "", [], {}) else "dihapus" if after in (None, "", [], {}) else "diubah"
        return [FieldChange(label, path, "", f"{state} (hanya petugas Dinas)")]
    if spec.type == "object":
        old = before if isinstance(before, Mapping) else {}
        new = after if isinstance(after, Mapping) else {}
        return [c for child in spec.fields for c in _field_changes(child, old.get(child.name), new.get(child.name), child.label, f"{path}.{child.name}")]
    if spec.type == "list" and spec.fields:
        return _list_changes(spec, before, after, path)
    if not (spec.sensitive or spec.staff_only):
        return []
    if _normal(spec, before) == _normal(spec, after):
        return []
    return [FieldChange(label, path, _shown(spec, before), _shown(spec, after))]


def _list_changes(spec: Field, before: Any, after: Any, path: str) -> list[FieldChange]:
    """Records of a list paired by their first field (platform, jenis, nama); a value that moved
    from one record to another is a removal and an addition."""
    key_field = spec.fields[0]
    out = []
    for child in spec.fields:
        if not child.sensitive:
            continue
        old, old_raw = _keyed_values(before, key_field, child)
        new, new_raw = _keyed_values(after, key_field, child)
        removed, added = old - new, new - old
        for key in sorted({k for k, _ in (removed + added).elements()}):
            gone = sorted(old_raw[item] for item in removed.elements() if item[0] == key)
            came = sorted(new_raw[item] for item in added.elements() if item[0] == key)
            label = f"{spec.label} {key}: {child.label}" if key else f"{spec.label}: {child.label}"
            for i in range(max(len(gone), len(came))):
                out.append(
                    FieldChange(
                        label,
                        f"{path}.{child.name}",
                        _shown(child, gone[i]) if i < len(gone) else "",
                        _shown(child, came[i]) if i < len(came) else "",
                    )
                )
    return out


def _keyed_values(items: Any, key_field: Field, child: Field) -> tuple[Counter[tuple[str, Any]], dict[tuple[str, Any], str]]:
    """How often each (record key, normalised value) of one field occurs over a list's records,
    and each one as written."""
    found: Counter[tuple[str, Any]] = Counter()
    written: dict[tuple[str, Any], str] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        value = item.get(child.name)
        if value in (None, ""):
            continue
        key = " ".join(_text(item.get(key_field.name)).split())
        pair = (key.casefold() if key_field.type == "choice" else key, _normal(child, value))
        found[pair] += 1
        written.setdefault(pair, _text(value).strip())
    return found, written


def _normal(spec: Field, value: Any) -> Any:
    """A value as compared: phone numbers by their digits, NIB without separators, text folded."""
    if value in (None, "", [], {}):
        return None
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _normal(spec.child(str(k)) or spec, v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(sorted(str(_normal(spec.item or spec, v)) for v in value))
    text = " ".join(_text(value).split())
    if spec.type == "phone":
        return phone_digits(text) or text
    if spec.type == "nib":
        return re.sub(r"[ .-]", "", text)
    if spec.type in ("email", "instagram", "github", "text"):
        return text.removeprefix("@").casefold()
    return text


def _shown(spec: Field, value: Any) -> str:
    """A value as a public report shows it: phone numbers masked, the rest as written."""
    if value in (None, "", [], {}):
        return ""
    text = " ".join(_text(value).split())
    if spec.type == "phone":
        digits = phone_digits(text)
        return mask_phone("+" + digits) if digits else mask_phone(text)
    return mask_chat_link(text)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _get(data: Mapping[str, Any], path: Sequence[str]) -> Any:
    node: Any = data
    for step in path:
        node = node.get(step) if isinstance(node, Mapping) else None
    return node


# --- the public report -------------------------------------------------------------------------------


def change_report(
    classification: Classification,
    *,
    region: Region,
    catalog_name: str = "",
    reference: str = "",
    page_url: str = "",
) -> str:
    """The Markdown a public reply or pull-request comment shows for one entry's change.

    It names the requester, lists the sensitive changes before → after (phone numbers masked), and
    for an update by someone else says "perlu verifikasi" and what the clerk must do, with a
    `wa.me` link to the WhatsApp number *on file* (see SECURITY.md: the number already behind the
    page's own contact button; shown masked, and no link at all while the listing is hidden).
    """
    c = classification
    title = f"**{md(c.nama)}** (`{c.slug}`)" if c.slug else f"**{md(c.nama)}**"
    lines = []
    if c.refused:
        lines.append(f"{title}: **ditolak**, diminta oleh {md(c.requester.public_name())}.")
        lines += ["", *[f"- {md(m)}" for m in c.refused]]
    elif c.needs_verification:
        lines.append(
            f"{title}: **perlu verifikasi**. Diminta oleh {md(c.requester.public_name())}, yang bukan pengelola usaha ini yang "
            "tercatat. Perubahan ini belum boleh tampil sebelum petugas Dinas memastikannya langsung kepada pemilik usaha."
        )
    else:
        lines.append(f"{title}: {c.label}, diminta oleh {md(c.requester.public_name())}.")
    lines.append("")
    if c.changes:
        lines += ["Perubahan data penting (sebelum → sesudah):", "", "| data | sebelum | sesudah |", "|---|---|---|"]
        lines += [f"| {md(ch.label)} | {md(ch.before) or '—'} | {md(ch.after) or '—'} |" for ch in c.changes]
    else:
        lines.append("Tidak ada perubahan kontak, tautan toko atau produk, NIB, nomor sertifikat atau pemilik.")
    if c.verified_on and c.changes and c.kind != DINAS and not c.refused:
        # The page keeps saying "Diverifikasi Dinas" after this merges: the stamp is the Dinas' word.
        lines += [
            "",
            f"Usaha ini bercap *Diverifikasi Dinas* ({md(c.verified_on)}); cap itu tetap tampil setelah perubahan ini digabung. "
            "Petugas: pastikan data penting yang baru sebelum menyetujui, atau perbarui tanggal `diverifikasi` sesudahnya.",
        ]
    if c.needs_verification and not c.refused:
        lines += ["", *verification_steps(c, region=region, catalog_name=catalog_name, reference=reference, page_url=page_url)]
    return "\n".join(lines) + "\n"


def verification_steps(c: Classification, *, region: Region, catalog_name: str = "", reference: str = "", page_url: str = "") -> list[str]:
    """What the clerk must do for an update by someone else, as Markdown lines."""
    lines = ["**Untuk petugas Dinas** (jangan hubungi nomor atau tautan baru dari permintaan ini):", ""]
    if c.contact_on_file:
        shown = md(mask_phone("+" + c.contact_on_file))
        if c.public_contact:
            link = whatsapp_url(c.contact_on_file, confirmation_message(c, region=region, catalog_name=catalog_name, reference=reference))
            where = f" (sama dengan tombol *Hubungi via WhatsApp* di [halaman usaha]({page_url}))" if page_url else ""
            lines.append(f"1. Tanyakan kepada pemilik lewat nomor WhatsApp yang **sudah tercatat** {shown}{where}: [kirim pesan konfirmasi]({link}).")
        else:
            lines.append(
                f"1. Tanyakan kepada pemilik lewat nomor WhatsApp yang **sudah tercatat** {shown} (usaha ini sedang diturunkan, jadi "
                f"nomornya tidak ditautkan di sini: lihat `catalog/{c.slug}/index.md` di cabang utama)."
            )
    else:
        lines.append(
            f"1. Usaha ini tidak mencantumkan nomor WhatsApp: tanyakan kepada pemilik lewat telepon atau email yang tercatat di "
            f"`catalog/{c.slug}/index.md` (cabang utama), atau datangi langsung."
        )
    lines += [
        "2. Bila pemilik membenarkan: setujui (*Approve*) commit terakhir pull request-nya. Pemeriksaan **Keutuhan data** lalu menjadi hijau (berhasil).",
        "3. Bila pemilik tidak membenarkan atau tidak menjawab: tutup pull request dan issue-nya, dan periksa apakah ada percobaan "
        "lain terhadap usaha ini.",
    ]
    return lines


def confirmation_message(c: Classification, *, region: Region, catalog_name: str = "", reference: str = "") -> str:
    """The prefilled WhatsApp message to the number on file. It travels in a public link, so it
    shows only what a public report shows (phone numbers masked)."""
    dinas = region.dinas or f"Dinas {region.nama}"
    catalog = catalog_name or f"Katalog UMKM {region.nama}"
    named = [f"{ch.label} menjadi {ch.after or 'dihapus'}" for ch in c.changes[:_MAX_MESSAGE_CHANGES]]
    if len(c.changes) > _MAX_MESSAGE_CHANGES:
        named.append(f"dan {len(c.changes) - _MAX_MESSAGE_CHANGES} perubahan lain")
    what = f": {'; '.join(named)}" if named else ""
    ref = f" ({reference})" if reference else ""
    return (
        f"Halo {c.nama}, kami dari {dinas}. Ada permintaan mengubah data {c.nama} di {catalog}{ref} dari "
        f"{c.requester.public_name()}{what}. Apakah permintaan ini dari Anda? Mohon balas YA atau TIDAK. Terima kasih."
    )


def md(text: str) -> str:
    """Text shown in a GitHub comment without turning into markup, mentions or links, or a NIK."""
    text = re.sub(r"([\\`*_\[\]<>#|~])", r"\\\1", redact_text(text))
    return text.replace("@", "@\u200b")

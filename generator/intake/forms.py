"""GitHub issue forms made from the entry schema (`umkm formulir`).

`umkm formulir` writes `.github/ISSUE_TEMPLATE/*.yml` from `schema.ENTRY_FIELDS` and the region's
vocabularies, so the form can never ask for something the validator does not accept. A submitted
form is read back by the same fields in `intake/issues.py`.

How a field is asked depends on its schema type only: scalars are inputs, vocabularies are
dropdowns, photo lists are drop zones, a list of records is either a few numbered groups of fields
(`SLOTS`, where a dropdown is worth it) or a textarea with one record per line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.core.imaging import MAX_PHOTO_MB
from generator.core.links import NEW, REPORT, SLUG_ID, UPDATE
from generator.core.models import Region
from generator.core.schema import (
    CONSENT,
    CONSENT_LABEL,
    ENTRY_FIELDS,
    PHOTO_LIST,
    REPORT_QUESTIONS,
    STORY,
    TOOL_FIELDS,
    Field,
    choice_options,
    visibility_note,
)

FORMS = (NEW, UPDATE, REPORT)
TEMPLATE_DIR = Path(".github") / "ISSUE_TEMPLATE"
# Issue labels the forms set; the issue-form workflow acts on the first two.
ISSUE_LABELS = {NEW: "daftar-usaha", UPDATE: "perbarui-usaha", REPORT: "laporan-kesalahan"}

# Lists of records asked as numbered groups of fields (so their vocabulary is a dropdown).
SLOTS = {"toko_online": 3, "sertifikasi": 3}
SKIPPED = TOOL_FIELDS  # set by the tools, not asked
NO_RESPONSE = "_No response_"
CLEAR = "-"  # in the update form: empty this field
MAX_SLUG = 60
CONSENT_ID = "persetujuan"
_HEADER = "# Dibuat oleh `umkm formulir` dari generator/core/schema.py dan wilayah.yml. Jangan diubah langsung:\n# ubah skema atau data wilayah, lalu jalankan `umkm formulir`.\n"


@dataclass(frozen=True)
class FormField:
    """One element of an issue form, with the schema path its value goes to."""

    id: str
    kind: str  # markdown, input, textarea, dropdown, checkboxes
    role: str  # value, photos, lines, slot, story, slug, consent, note, text
    label: str = ""
    description: str = ""
    placeholder: str = ""
    required: bool = False
    options: tuple[str, ...] = ()
    spec: Field | None = None  # the schema field (for lines and slots: the list field)
    path: tuple[str, ...] = ()  # where the value goes: ("kontak", "whatsapp"); ("sertifikasi",) for slots
    slot: int = 0  # 1-based number of the group, for slots
    child: Field | None = None  # the record's field a slot element asks for


# --- the forms --------------------------------------------------------------------------------------


def form_fields(kind: str, region: Region) -> list[FormField]:
    """The elements of one form, in order."""
    if kind == REPORT:
        return _report_fields()
    update = kind == UPDATE
    fields: list[FormField] = [FormField("", "markdown", "note", description=_intro(kind, region))]
    if update:
        fields.append(slug_field())
    for spec in ENTRY_FIELDS:
        if spec.name in SKIPPED or spec.staff_only:  # the Dinas' own fields are never asked (integrity.py)
            continue
        if spec.type == "object":
            fields += [_scalar_field(child, (spec.name, child.name), region, update) for child in spec.fields]
        elif spec.type == "list" and spec is PHOTO_LIST:
            fields.append(_photos_field(spec, update))
        elif spec.type == "list" and spec.fields and spec.name in SLOTS:
            fields += _slot_fields(spec, region, update)
        elif spec.type == "list" and spec.fields:
            fields.append(_lines_field(spec, update))
        elif spec.type == "list":
            fields.append(
                FormField(spec.name, "textarea", "lines", spec.label, _describe(spec, "Satu per baris."), spec=spec, path=(spec.name,))
            )
        else:
            fields.append(_scalar_field(spec, (spec.name,), region, update))
    fields.append(
        FormField(STORY.name, "textarea", "story", STORY.label, _describe(STORY, _clear_note(update)), spec=STORY, path=(STORY.name,))
    )
    fields.append(
        FormField(
            CONSENT_ID,
            "checkboxes",
            "consent",
            CONSENT_LABEL,
            "Wajib dicentang semua agar data dapat diproses.",
            options=CONSENT,
            required=True,
        )
    )
    return fields


def issue_form(kind: str, region: Region) -> dict[str, Any]:
    """The issue form as GitHub's form schema wants it."""
    titles = {
        NEW: (
            "Daftarkan usaha",
            "Daftarkan usaha Anda ke katalog UMKM: isi formulir, kirim, lalu petugas Dinas meninjau.",
            "Daftar usaha: ",
        ),
        UPDATE: ("Perbarui data usaha", "Ubah data usaha yang sudah ada di katalog: isi hanya bagian yang berubah.", "Perbarui data: "),
        REPORT: ("Laporkan kesalahan data", "Beri tahu Dinas bila ada data usaha yang salah atau tidak pantas.", "Laporan kesalahan: "),
    }
    name, description, title = titles[kind]
    return {
        "name": name,
        "description": f"{description} ({region.nama})",
        "title": title,
        "labels": [ISSUE_LABELS[kind]],
        "body": [_element(f) for f in form_fields(kind, region)],
    }


def render_form(kind: str, region: Region) -> str:
    """The YAML text of one form, as committed under `.github/ISSUE_TEMPLATE/`."""
    text = yaml.dump(issue_form(kind, region), Dumper=_FormDumper, allow_unicode=True, sort_keys=False, width=1000)
    return _HEADER + text


class _FormDumper(yaml.SafeDumper):
    """Paragraphs as literal blocks, list items indented under their key: a form people can read."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_FormDumper.add_representer(str, _represent_text)


def form_files(root: Path, region: Region) -> dict[Path, str]:
    """Every form file and its text, by path under the project root."""
    return {root / TEMPLATE_DIR / f"{kind}.yml": render_form(kind, region) for kind in FORMS}


def _intro(kind: str, region: Region) -> str:
    if kind == NEW:
        return (
            f"Formulir ini mendaftarkan usaha Anda ke Katalog UMKM {region.nama}. Isi sebisanya; kolom bertanda * wajib.\n\n"
            "Setelah dikirim, sistem memeriksa isian dalam beberapa menit dan membalas di bawah issue ini. Bila ada yang perlu "
            "diperbaiki, ubah issue ini (menu ··· lalu *Edit*) dan pemeriksaan berjalan lagi. Bila sudah benar, petugas "
            f"{region.dinas or 'Dinas'} meninjau sebelum data tampil.\n\n"
            "**Data ini tampil untuk umum.** Jangan menulis NIK, nomor KTP atau data pribadi lain."
        )
    return (
        "Isi **hanya bagian yang berubah**; bagian yang dikosongkan tidak diubah. Tulis tanda `-` saja untuk menghapus isi "
        "sebuah bagian.\n\nSetelah dikirim, sistem memeriksa isian dan membalas di bawah issue ini; petugas Dinas meninjau "
        "perubahan sebelum tampil. Jangan menulis NIK atau nomor KTP."
    )


def slug_field() -> FormField:
    return FormField(
        SLUG_ID,
        "input",
        "slug",
        "Alamat halaman usaha (slug)",
        "Terisi otomatis bila formulir dibuka dari tombol di halaman usaha. Bisa juga ditempel alamat halamannya, misalnya .../usaha/keripik-sari-rasa/",
        "keripik-sari-rasa",
        required=True,
    )


def _report_fields() -> list[FormField]:
    return [
        FormField(
            "",
            "markdown",
            "note",
            description="Terima kasih telah membantu menjaga data katalog tetap benar. Petugas Dinas akan memeriksa laporan ini.",
        ),
        slug_field(),
        *(FormField(ident, "textarea", "text", label, help_text, required=required) for ident, label, help_text, required in REPORT_QUESTIONS),
    ]


def _scalar_field(spec: Field, path: tuple[str, ...], region: Region, update: bool) -> FormField:
    required = spec.required and not update
    ident = "-".join(path)
    if spec.type == "choice":
        return FormField(
            ident,
            "dropdown",
            "value",
            spec.label,
            _describe(spec),
            required=required,
            options=tuple(t for t, _ in choice_options(region, spec.vocabulary)),
            spec=spec,
            path=path,
        )
    kind = "textarea" if (spec.max_length or 0) > 300 else "input"
    return FormField(
        ident,
        kind,
        "value",
        spec.label,
        _describe(spec, _clear_note(update and not spec.required)),
        _placeholder(spec),
        required,
        spec=spec,
        path=path,
    )


def _photos_field(spec: Field, update: bool) -> FormField:
    note = (
        f"Seret (drag) atau tempel foto ke kotak ini, JPEG/PNG/WebP, paling besar {MAX_PHOTO_MB} MB per foto. Foto pertama menjadi sampul."
    )
    if update:
        note += " Foto yang dikirim menggantikan semua foto usaha yang lama."
    return FormField(spec.name, "textarea", "photos", spec.label, note + _clear_note(update), spec=spec, path=(spec.name,))


def _slot_fields(spec: Field, region: Region, update: bool) -> list[FormField]:
    fields = []
    for number in range(1, SLOTS[spec.name] + 1):
        for child in spec.fields:
            if child.type == "list":
                continue
            ident = f"{spec.name}-{number}-{child.name}"
            label = f"{spec.label} {number}: {child.label}"
            help_text = child.help
            if child is spec.fields[0] and number == 1:
                help_text = f"{spec.help} {help_text}".strip()
            if child.type == "choice":
                options = tuple(t for t, _ in choice_options(region, child.vocabulary))
                fields.append(
                    FormField(
                        ident, "dropdown", "slot", label, help_text, options=options, spec=spec, path=(spec.name,), slot=number, child=child
                    )
                )
            else:
                fields.append(
                    FormField(
                        ident,
                        "input",
                        "slot",
                        label,
                        help_text,
                        _placeholder(child),
                        spec=spec,
                        path=(spec.name,),
                        slot=number,
                        child=child,
                    )
                )
    return fields


def _lines_field(spec: Field, update: bool) -> FormField:
    columns = [c for c in spec.fields if c.type != "list"]
    photos = any(c is PHOTO_LIST for c in spec.fields)
    order = " | ".join(c.label for c in columns)
    note = f"Satu per baris, bagian dipisah tanda | dengan urutan: {order}. Bagian di belakang boleh dikosongkan."
    if photos:
        note += " Seret foto ke baris yang sama (atau baris tepat di bawahnya)."
    if update:
        note += f" Baris dengan {columns[0].label.lower()} yang sudah ada mengubah butir itu; yang baru ditambahkan."
    example = " | ".join(c.example.strip('"') for c in columns if c.example)
    return FormField(
        spec.name, "textarea", "lines", spec.label, _describe(spec, note + _clear_note(update)), example, spec=spec, path=(spec.name,)
    )


def _describe(spec: Field, extra: str = "") -> str:
    parts = [spec.help, visibility_note(spec), extra]
    return " ".join(_sentence(p) for p in parts if p.strip())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", ":", "/")) else f"{text}."


def _clear_note(update: bool) -> str:
    return " Tulis - untuk menghapus isinya." if update else ""


def _placeholder(spec: Field) -> str:
    return spec.example.strip('"').strip("[]")


def _element(f: FormField) -> dict[str, Any]:
    if f.kind == "markdown":
        return {"type": "markdown", "attributes": {"value": f.description}}
    attributes: dict[str, Any] = {"label": f.label}
    if f.description:
        attributes["description"] = f.description
    if f.kind == "checkboxes":
        attributes["options"] = [{"label": option, "required": True} for option in f.options]
        return {"type": "checkboxes", "id": f.id, "attributes": attributes}
    if f.kind == "dropdown":
        attributes["options"] = list(f.options)
    elif f.placeholder:
        attributes["placeholder"] = f.placeholder
    return {"type": f.kind, "id": f.id, "attributes": attributes, "validations": {"required": f.required}}


def choice_value(region: Region, vocabulary: str, text: str) -> str:
    """The stored value of a shown one (`Kuliner` → `kuliner`); unknown text is passed on for the validator to explain."""
    folded = text.strip().casefold()
    for shown, value in choice_options(region, vocabulary):
        if folded in (shown.casefold(), value.casefold()):
            return value
    return text.strip()


_STOPWORDS = frozenset({"dan", "&", "atau", "and", "or", "/", "usaha", "sektor"})


def choice_suggestions(region: Region, vocabulary: str, text: str, synonyms: Mapping[str, str] | None = None) -> list[str]:
    """Values an unknown answer may mean: by meaning first (labels, English labels and the import
    mappings' translations that share a word with it: `makanan` → `kuliner`), then by spelling."""
    words = _words(text)
    phrases: list[tuple[str, str]] = [(shown, value) for shown, value in choice_options(region, vocabulary)]
    if vocabulary == "sektor":
        phrases += [(s.label_en, s.key) for s in region.sectors if s.label_en]
    phrases += list((synonyms or {}).items())
    scores: dict[str, int] = {}
    for phrase, value in phrases:
        shared = len(words & _words(phrase))
        if shared:
            scores[value] = max(scores.get(value, 0), shared)
    by_meaning = sorted(scores, key=lambda v: -scores[v])
    values = [value for _, value in choice_options(region, vocabulary)]
    by_spelling = difflib.get_close_matches(text.strip().casefold(), values, n=2, cutoff=0.5)
    return list(dict.fromkeys([*by_meaning, *by_spelling]))


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^0-9a-z&]+", text.casefold()) if w and w not in _STOPWORDS}

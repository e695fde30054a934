"""The phone form on the site (`daftar/`), declared from the entry schema like the issue forms.

Every input carries what the browser needs to check it natively (`required`, `maxlength`,
`pattern`, `type`, `inputmode`) and the schema's Indonesian message for each way it can be wrong;
vocabularies come from the region file. The page (`outputs/pages.py`, template `phone_form.html`)
renders it, `theme/assets/formulir.js` reads only that markup (it knows no field by name), and
`intake/phone.py` reads the messages it composes back by the same labels. A field added to the
schema appears on the form, in the message and in `umkm dari-pesan` without touching the script.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers

from generator.core.models import Entry, Region
from generator.core.privacy import in_prefill
from generator.core.schema import (
    CONSENT,
    ENTRY_FIELDS,
    FORMATS,
    PHOTO_LIST,
    REPORT_QUESTIONS,
    STORY,
    TOOL_FIELDS,
    Field,
    choice_options,
    visibility_note,
)

PREFILL_NAME = "formulir.json"  # usaha/<slug>/formulir.json: a business's public fields, for "Perbarui data"
MAX_REPORT = 1000  # characters of each answer of the report form
# Characters of the whole wa.me link. A longer message keeps its long texts in the data block
# only, and past the budget the page offers "Salin" instead (README, "Formulir di ponsel").
WHATSAPP_URL_BUDGET = 6000


@dataclass(frozen=True)
class WebInput:
    """One control of the form: where its value goes, its words and its native checks."""

    path: tuple[str, ...]  # in the entry, or in one item of a group: ("kontak", "whatsapp"), ("harga",)
    label: str
    help: str
    control: str  # input, select, textarea, lines (a list of text, one per line), photos
    type: str = "text"
    inputmode: str = ""
    autocomplete: str = ""
    required: bool = False
    maxlength: int | None = None
    pattern: str = ""
    options: tuple[tuple[str, str], ...] = ()  # select: (shown, value)
    suggestions: tuple[str, ...] = ()  # accepted spellings, offered as a datalist (kecamatan and its variants)
    max_lines: int | None = None  # lines: how many items at most
    messages: tuple[tuple[str, str], ...] = ()  # (validity state, Indonesian message)

    @property
    def name(self) -> str:
        return ".".join(self.path)

    @property
    def id(self) -> str:
        return "-".join(self.path).replace("_", "-")


@dataclass(frozen=True)
class WebGroup:
    """A repeatable group: one fieldset per item of a list of records (produk, sertifikasi, ...)."""

    name: str
    label: str
    help: str
    key: str  # the first field: names an item in an update ("Produk «Keripik»")
    inputs: tuple[WebInput, ...]
    max_items: int


@dataclass(frozen=True)
class WebForm:
    """The whole form: its parts in schema order, the story, the consent statements and where messages go."""

    parts: tuple[WebInput | WebGroup, ...]
    story: WebInput
    consent: tuple[str, ...]
    dinas: str  # the Dinas' name
    whatsapp: str  # the Dinas' WhatsApp as international digits, "" when not configured
    email: str
    google_form: str
    site_name: str
    report: tuple[WebInput, ...] = ()  # "Laporkan kesalahan": the issue form's questions, on the phone
    # "Perbarui data": the dotted paths of the page-only fields (privacy.in_prefill), which no data
    # file holds; the script reads them from the business page itself, where they are shown.
    from_page: tuple[str, ...] = ()
    budget: int = WHATSAPP_URL_BUDGET


def web_form(region: Region, *, site_name: str) -> WebForm:
    """The form for a region, from the entry schema."""
    parts: list[WebInput | WebGroup] = []
    for spec in ENTRY_FIELDS:
        if spec.name in TOOL_FIELDS or spec.staff_only:  # set by the tools, or by Dinas staff only
            continue
        if spec.type == "object":
            parts += [_input(child, (spec.name, child.name), region) for child in spec.fields]
        elif spec.type == "list" and spec.fields:
            inputs = tuple(_input(child, (child.name,), region) for child in spec.fields)
            parts.append(WebGroup(spec.name, spec.label, _describe(spec), spec.fields[0].name, inputs, spec.max_items or 20))
        else:
            parts.append(_input(spec, (spec.name,), region))
    return WebForm(
        parts=tuple(parts),
        story=_input(STORY, (STORY.name,), region),
        consent=CONSENT,
        dinas=region.dinas or "Dinas",
        whatsapp=_digits(region.dinas_whatsapp),
        email=region.dinas_email,
        google_form=region.dinas_google_form,
        site_name=site_name,
        report=tuple(
            WebInput((ident,), label, help_text, "textarea", required=required, maxlength=MAX_REPORT, messages=(("wajib", f"{label} wajib diisi."),))
            for ident, label, help_text, required in REPORT_QUESTIONS
        ),
        from_page=tuple(".".join(path) for path, _ in form_paths(parts) if not in_prefill(".".join(path))),
    )


def form_paths(parts: Sequence[WebInput | WebGroup]) -> list[tuple[tuple[str, ...], str]]:
    """The schema path and label of every input, top-level (`("kontak", "whatsapp")`) and within a group (`("produk", "harga")`)."""
    paths: list[tuple[tuple[str, ...], str]] = []
    for part in parts:
        if isinstance(part, WebGroup):
            paths += [((part.name, *i.path), i.label) for i in part.inputs]
        else:
            paths.append((part.path, part.label))
    return paths


def _input(spec: Field, path: tuple[str, ...], region: Region) -> WebInput:
    label, help_text = spec.label, _describe(spec)
    messages = [("wajib", f"{label} wajib diisi.")]
    if spec is PHOTO_LIST:
        return WebInput(path, label, _photo_help(), "photos")
    if spec.type == "list":
        item = spec.item or Field(spec.name, "text", spec.label)
        messages.append(("baris", f"{label}: paling banyak {spec.max_items} baris, tiap baris paling banyak {item.max_length} karakter."))
        return WebInput(
            path, label, f"{help_text} Satu per baris.".strip(), "lines", maxlength=item.max_length, max_lines=spec.max_items, messages=tuple(messages)
        )
    if spec.type == "choice":
        options = tuple(choice_options(region, spec.vocabulary))
        if spec.vocabulary == "kecamatan":
            names = tuple(name for k in region.kecamatan for name in (k.nama, *k.varian))
            messages.append(("pilihan", f"{label}: pilih salah satu dari daftar {region.nama}."))
            return WebInput(path, label, help_text, "input", required=spec.required, suggestions=names, messages=tuple(messages))
        return WebInput(path, label, help_text, "select", required=spec.required, options=options, messages=tuple(messages))
    kind = FORMATS["mobile"] if spec.type == "phone" and spec.name == "whatsapp" else FORMATS[spec.type]
    if kind.hint:
        messages.append(("pola", f"{label}: {kind.hint}."))
    if spec.max_length:
        messages.append(("panjang", f"{label}: paling banyak {spec.max_length} karakter."))
    control = "textarea" if (spec.max_length or 0) > 300 else "input"
    return WebInput(
        path,
        label,
        help_text,
        control,
        type=kind.input_type,
        inputmode=kind.inputmode,
        autocomplete=_AUTOCOMPLETE.get(path[-1], ""),
        required=spec.required,
        maxlength=spec.max_length,
        pattern=kind.pattern,
        messages=tuple(messages),
    )


_AUTOCOMPLETE = {"whatsapp": "tel", "telepon": "tel", "email": "email", "situs": "url", "alamat": "street-address"}


def _describe(spec: Field) -> str:
    parts = [spec.help.strip(), visibility_note(spec)]
    return " ".join(p if p.endswith((".", "!", "?")) else f"{p}." for p in parts if p)


def _photo_help() -> str:
    return (
        "Pilih fotonya di sini agar tercatat di pesan, lalu kirim foto yang sama di chat WhatsApp (atau lampirkan di email) "
        "bersama pesan ini. Foto tidak diunggah dari halaman ini."
    )


def _digits(number: str) -> str:
    if not number:
        return ""
    parsed = phonenumbers.parse(number, "ID")
    return f"{parsed.country_code}{parsed.national_number}"


def form_labels(form: WebForm) -> dict[tuple[str, ...], str]:
    """The form's label of every path, top-level (`("kontak", "whatsapp")`) and within a group (`("produk", "harga")`)."""
    labels: dict[tuple[str, ...], str] = {(form.story.name,): form.story.label}
    labels.update({(part.name,): part.label for part in form.parts if isinstance(part, WebGroup)})
    labels.update(form_paths(form.parts))
    return labels


# --- prefill: what a business page publishes, for "Perbarui data" -----------------------------------


def prefill_data(entry: Entry) -> dict[str, Any]:
    """An entry's public values in the form's shape (text, as the form holds them).

    Only the fields the privacy rules allow in a data file (`privacy.in_prefill`): no phone number,
    email, owner, address or map point. Those the business page alone shows, and the form reads
    them from that page (`WebForm.from_page`). Runs once per business per build, so the walk over
    the schema is worked out once (`_ENTRY_VALUES`)."""
    out: dict[str, Any] = {"slug": entry.slug, **_ENTRY_VALUES(entry)}
    if entry.cerita.strip():
        out[STORY.name] = entry.cerita
    return out


Convert = Callable[[Any], Any]


def _values_of(fields: Sequence[Field], prefix: str = "") -> Convert:
    """A function from a record to the form's values of `fields` (under the dotted `prefix`), empty ones
    and those the privacy rules keep out of data files left out."""
    parts = [(f.name, _value_of(f, f"{prefix}{f.name}")) for f in fields if in_prefill(f"{prefix}{f.name}")]

    def convert(record: Any) -> dict[str, Any]:
        out = {}
        for name, value_of in parts:
            value = getattr(record, name, None)
            if value is not None:
                value = value_of(value)
                if value or value == 0:
                    out[name] = value
        return out

    return convert


def _value_of(spec: Field, path: str) -> Convert:
    if spec.type == "object":
        return _values_of(spec.fields, f"{path}.")
    if spec.type == "list" and spec.fields:
        item = _values_of([f for f in spec.fields if f is not PHOTO_LIST], f"{path}.")
        return lambda items: [item(i) for i in items]
    if spec.type == "list":
        return lambda items: [str(v) for v in items]
    if spec.type == "phone":
        return lambda digits: _local_number(digits) if digits else ""
    if spec.type == "date":
        return lambda day: day.isoformat()
    if spec.type in ("year", "integer"):
        return str
    return lambda text: text


_ENTRY_VALUES = _values_of([f for f in ENTRY_FIELDS if f.name not in TOOL_FIELDS and not f.staff_only and f is not PHOTO_LIST])


def _local_number(digits: str) -> str:
    """`6281219345521` as an owner writes it: `081219345521` (others keep their country code, `+65…`).

    Plain string work: phonenumbers' formatting costs a millisecond a number, once per business per build."""
    return f"0{digits[2:]}" if digits.startswith("62") else f"+{digits}"


def prefill_json(entry: Entry) -> str:
    return json.dumps(prefill_data(entry), ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"

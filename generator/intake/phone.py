"""Messages from the phone form read back into entries: `umkm dari-pesan`.

The clerk pastes what arrived by WhatsApp or email (and saves the photos sent with it); the data
block (`intake/message.py`) says what the form changed, in the schema's paths. Every change is
named by the form's own label and checked against what the form can ask, then written through
the same staged, validated writer as the issue forms. The sender's number is the requester of
the listing-integrity rules (`core/integrity.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from generator.builder.load import PHOTO_SUFFIXES
from generator.builder.validate import clean_text
from generator.core.integrity import Requester, classify_change, confirmation_message
from generator.core.links import NEW, UPDATE, whatsapp_url
from generator.core.models import Region
from generator.core.phoneform import WebForm, WebGroup, WebInput, form_labels, web_form
from generator.core.privacy import mask_phone
from generator.core.problems import Problem
from generator.core.schema import CONSENT_LABEL, PHOTO_LIST, STORY, choice_options
from generator.intake.fetch import PhotoError
from generator.intake.fetch import read_photo as read_photo_file
from generator.intake.forms import choice_value
from generator.intake.issues import IssueResult, Message, PhotoSet, Submission, target_entry, write_submission
from generator.intake.message import UPDATE as MESSAGE_UPDATE
from generator.intake.message import FormMessage, MessageError, Step, read_message
from generator.intake.write import Change, FieldPath, Match


def submission_from_message(message: FormMessage, form: WebForm, region: Region) -> Submission:
    """The changes a message asks for, each named by the form's own label; anything the form cannot
    have asked (a field it does not offer, a value of the wrong shape) is refused, not written."""
    sub = Submission(UPDATE if message.kind == MESSAGE_UPDATE else NEW, slug=message.slug)
    groups = {p.name: p for p in form.parts if isinstance(p, WebGroup)}
    inputs = {p.path: p for p in form.parts if isinstance(p, WebInput)}
    for path, value in message.changes:
        if isinstance(value, tuple) and value and isinstance(value[0], tuple):  # the fields of one list item
            group = groups.get(str(path[0])) if len(path) == 2 else None
            fields = sorted(value, key=lambda item: group is not None and item[0] == group.key)  # its key last
            pairs: list[tuple[tuple[Step, ...], Any]] = [((*path, name), v) for name, v in fields]
        else:
            pairs = [(path, value)]
        for item_path, item_value in pairs:
            target = _target(item_path, groups, inputs)
            if target is None or (target[1] is None and item_value is not None):
                sub.messages.append(
                    Message("", f"pesan mengubah kolom yang tidak ada di formulir ({_show(item_path)}); minta pengirim mengisi ulang formulir di situs")
                )
                continue
            field_path, spec_input, label = target
            sub.changes.append(Change(field_path, _typed(item_value, spec_input, region), label))
    if message.story is not None:
        sub.story = clean_text(message.story, multiline=True).strip("\n") + "\n" if message.story.strip() else ""
    missing = [text for number, text in enumerate(form.consent, start=1) if number not in message.consent]
    if missing:
        sub.messages.append(Message(CONSENT_LABEL, f"pengirim belum mencentang pernyataan: {missing[0]} Pesan ditolak; tidak ada yang ditulis"))
    if sub.kind == UPDATE and not (sub.changes or sub.story is not None or message.photos):
        sub.messages.append(Message("", "pesan tidak mengubah apa pun"))
    return sub


def _target(path: tuple[Step, ...], groups: Mapping[str, WebGroup], inputs: Mapping[tuple[str, ...], WebInput]) -> tuple[FieldPath, WebInput | None, str] | None:
    if all(isinstance(step, str) for step in path):
        names = tuple(str(step) for step in path)
        if names in inputs:
            return names, inputs[names], inputs[names].label
        if len(names) == 1 and names[0] == STORY.name:
            return None
        return None
    if len(path) < 2 or not isinstance(path[0], str) or path[0] not in groups or not isinstance(path[1], tuple):
        return None
    group = groups[path[0]]
    key, value = path[1]
    if key != group.key:
        return None
    item = f"{group.label} «{value}»"
    if len(path) == 2:  # the whole item: only ever removed
        return (group.name, Match(key, value)), None, item
    if len(path) != 3 or not isinstance(path[2], str):
        return None
    child = next((i for i in group.inputs if i.path == (path[2],) and i.control != "photos"), None)
    if child is None:
        return None
    return (group.name, Match(key, value), path[2]), child, f"{item}: {child.label}"


def _show(path: tuple[Step, ...]) -> str:
    return ".".join(step if isinstance(step, str) else f"[{step[0]}={step[1]}]" for step in path)


def _typed(value: str | tuple[str, ...] | None, spec: WebInput | None, region: Region) -> str | list[str] | None:
    if value is None or spec is None:
        return None
    if isinstance(value, tuple):
        return [clean_text(v) for v in value if clean_text(v)] if spec.control == "lines" else clean_text(" ".join(value))
    text = clean_text(value)
    if spec.control == "lines":
        return [line for line in (clean_text(v) for v in value.splitlines()) if line]
    if spec.options:  # a select sends the stored value; a label is mapped back the same way
        vocabulary = next((v for v in ("sektor", "sertifikasi", "platform") if tuple(choice_options(region, v)) == spec.options), "")
        return choice_value(region, vocabulary, text) if vocabulary else text
    return text


def photo_files(folder: Path) -> list[Path]:
    """The photos in a folder the clerk saved from the chat, in name order (WhatsApp numbers them as received).

    A symlink is never a photo: one planted among them could carry any file of the clerk's machine
    into a public entry."""
    return sorted(
        p for p in folder.iterdir() if not p.is_symlink() and p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES and not p.name.startswith(".")
    )


def assign_photos(message: FormMessage, files: Sequence[Path]) -> tuple[list[tuple[tuple[Step, ...], list[Path]]], list[str]]:
    """Which saved photo goes where: by the file names the form recorded when they are all there
    (an email keeps them), else in the order the owner listed them (WhatsApp renames photos)."""
    wanted = [name for slot in message.photos for name in slot.names]
    if not wanted:
        return [], []
    by_name = {f.name: f for f in files}
    if all(name in by_name for name in wanted):
        return [(slot.path, [by_name[n] for n in slot.names]) for slot in message.photos], []
    if len(files) != len(wanted):
        return [], [
            f"pesan menyebut {len(wanted)} foto, tetapi folder foto berisi {len(files)}; simpan semua foto dari chat itu "
            "(dan hanya itu) ke folder --foto, urut seperti dikirim"
        ]
    assigned, position = [], 0
    for slot in message.photos:
        assigned.append((slot.path, list(files[position : position + len(slot.names)])))
        position += len(slot.names)
    return assigned, []


def entry_from_message(
    text: str,
    *,
    catalog_dir: Path,
    region: Region,
    today: date,
    check: Callable[[Path], list[Problem]],
    site_name: str,
    photos_dir: Path | None = None,
    sender: str | None = None,
    verified: bool = False,
    dry_run: bool = False,
    read_photo: Callable[[Path], Any] | None = None,
    schema_ref: str | None = None,
) -> IssueResult:
    """`umkm dari-pesan`: a pasted message (and the photos saved from its chat) written into `catalog/<slug>/`
    through the same staged, validated write as the issue forms, only when it passes.

    The sender's number is the requester (`integrity.classify_change`): from the WhatsApp on file it
    is the manager asking; from any other number, or none given, the update needs verification and
    is only checked, never written, until the clerk has confirmed it with the business through the
    number on file and runs it again with `verified` (the clerk's own commit would otherwise count as
    a change by Dinas staff, which needs no verification). `dry_run` checks and shows the diff only."""
    reader = read_photo or read_photo_file
    try:
        message = read_message(text)
    except MessageError as exc:
        return IssueResult("", "", [Message("", str(exc))], None)
    form = web_form(region, site_name=site_name)
    sub = submission_from_message(message, form, region)
    if any(m.where == CONSENT_LABEL for m in sub.messages):
        # Consent is the condition of publishing anything: nothing is checked, nothing written.
        return IssueResult(sub.slug, "", [m for m in sub.messages if m.where == CONSENT_LABEL], None)
    target = target_entry(sub, catalog_dir)
    slug, existing, _ = target
    requester = Requester.phone(sender) if sender else Requester.unknown()
    # Who asks decides whether it may be written now; what it changes is classified with the write.
    asking = classify_change(existing or None, existing or {}, requester, region, slug=slug) if sub.kind == NEW or existing else None
    photos: list[PhotoSet] = []
    labels = form_labels(form)
    if message.photos:
        if photos_dir is None:
            count = sum(len(s.names) for s in message.photos)
            sub.messages.append(
                Message("Foto", f"pesan menyebut {count} foto: simpan foto dari chat itu ke sebuah folder, lalu jalankan lagi dengan --foto FOLDER")
            )
        else:
            assigned, problems = assign_photos(message, photo_files(photos_dir))
            sub.messages += [Message("Foto", p) for p in problems]
            for path, files in assigned:
                target_path = _photo_target(path, labels)
                origin = _photo_label(path, labels)
                if target_path is None:
                    sub.messages.append(Message("Foto", f"foto untuk kolom yang tidak ada di formulir ({_show(path)})"))
                    continue
                read = []
                for file in files:
                    try:
                        photo = reader(file)
                    except PhotoError as exc:
                        sub.messages.append(Message(origin, f"{file.name}: {exc.message}"))
                        continue
                    read.append((photo.name, photo.data))
                photos.append(PhotoSet(target_path, origin, tuple(read)))
    return write_submission(
        sub,
        photos,
        catalog_dir=catalog_dir,
        region=region,
        today=today,
        check=check,
        requester=requester,
        schema_ref=schema_ref,
        target=target,
        order=[*labels.values(), CONSENT_LABEL],
        dry_run=dry_run or (asking is not None and asking.needs_verification and not verified),
    )


def sender_report(result: IssueResult, *, region: Region, catalog_name: str) -> list[str]:
    """What the clerk is told about who asked and what it changes (`umkm dari-pesan` prints it).

    The clerk's own terminal: the confirmation link holds the number on file whole, as the
    business page's own contact button does; every number in the text is masked."""
    c = result.classification
    if c is None:
        return []
    lines = [f"Jenis perubahan: {c.label} ({c.requester.public_name()})."]
    if c.changes:
        lines.append("Perubahan data penting (sebelum → sesudah):")
        lines += [f"  {ch.label}: {ch.before or '—'} → {ch.after or '—'}" for ch in c.changes]
    if not c.needs_verification:
        return lines
    lines.append(
        f"PERLU VERIFIKASI: {c.requester.public_name()} bukan nomor WhatsApp yang tercatat untuk '{c.slug}'. "
        "Pastikan dulu kepada pemilik lewat kontak yang sudah tercatat; jangan memakai nomor atau tautan baru dari pesan ini."
    )
    if c.contact_on_file and c.public_contact:
        link = whatsapp_url(c.contact_on_file, confirmation_message(c, region=region, catalog_name=catalog_name))
        lines.append(f"Nomor yang tercatat: {mask_phone('+' + c.contact_on_file)}. Pesan konfirmasi: {link}")
    elif c.contact_on_file:
        lines.append(f"Nomor yang tercatat: {mask_phone('+' + c.contact_on_file)} (usaha ini sedang diturunkan; lihat catalog/{c.slug}/index.md).")
    else:
        lines.append(f"Usaha ini tidak mencantumkan nomor WhatsApp: hubungi pemilik lewat telepon atau email di catalog/{c.slug}/index.md.")
    lines.append("Bila pemilik membenarkan, jalankan lagi dengan --terverifikasi untuk menulis perubahannya.")
    return lines


def _photo_label(path: tuple[Step, ...], labels: Mapping[tuple[str, ...], str]) -> str:
    if len(path) == 3 and isinstance(path[0], str) and isinstance(path[1], tuple) and isinstance(path[2], str):
        return f"{labels.get((path[0],), path[0])} «{path[1][1]}»: {labels.get((path[0], path[2]), path[2])}"
    return labels.get(tuple(str(step) for step in path), "Foto")


def _photo_target(path: tuple[Step, ...], labels: Mapping[tuple[str, ...], str]) -> FieldPath | None:
    if path == (PHOTO_LIST.name,):
        return (PHOTO_LIST.name,)
    if len(path) == 3 and isinstance(path[0], str) and isinstance(path[1], tuple) and path[2] == PHOTO_LIST.name and (path[0], PHOTO_LIST.name) in labels:
        return (path[0], Match(path[1][0], path[1][1]), PHOTO_LIST.name)
    return None

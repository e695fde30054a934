"""Write entries for tools (issue forms, spreadsheet import): whole folders or nothing.

Owners never see this YAML being made, so it must read back exactly through the strict loader
(`yamlstrict.py`, every scalar as text): strings that a YAML reader would misread are quoted,
numbers, years and dates that the schema types are left plain, and every dump is read back and
compared before anything touches the disk. A folder is assembled beside its final place,
checked there, then renamed into place, so a failed check or a crash leaves the catalog as it was.
"""

from __future__ import annotations

import copy
import difflib
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from generator.core.files import swap_in
from generator.core.models import Region
from generator.core.problems import Problem, display_path, errors_in
from generator.core.schema import ENTRY, PHOTO_LIST, Field, vocabulary
from generator.core.yamlstrict import parse_yaml

SCHEMA_REF = "../../schema/entri.schema.json"  # from catalog/<slug>/ to the published JSON Schema
_PLAIN_TYPES = frozenset({"year", "integer", "date"})  # typed by the schema: written unquoted
_QUOTED_TYPES = frozenset({"phone", "nib"})  # digits with meaning: always quoted, as in the README
# Text made of digits (`2063216010123-28`, `021 889`) is quoted, so no YAML reader takes it for a number.
_NUMBER_LIKE = re.compile(r"[+0-9][0-9 .,/+-]*")
_INT = "tag:yaml.org,2002:int"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True)
class Match:
    """A list item picked by one of its fields, e.g. the certificate whose `jenis` is `halal`."""

    key: str
    value: str


Step = str | int | Match
FieldPath = tuple[Step, ...]


@dataclass(frozen=True)
class Change:
    """Set (or, with `value=None`, remove) one value of an entry."""

    path: FieldPath
    value: str | list[str] | None
    origin: str = ""  # where the value came from (a form label, a sheet column), for messages


@dataclass(frozen=True)
class Written:
    """What `write_entry` did: the problems of the checked folder, the diff, whether it was written."""

    problems: list[Problem]
    diff: str
    written: bool


class ChangeError(ValueError):
    """A change that does not fit the entry's shape (a list where text was expected, ...)."""


# --- building the data ---------------------------------------------------------------------------


def apply_changes(data: Mapping[str, Any], changes: Iterable[Change]) -> tuple[dict[str, Any], dict[str, str]]:
    """A copy of `data` with the changes applied, and the origin of every changed value by dotted path."""
    result: dict[str, Any] = copy.deepcopy(dict(data))
    origins: dict[str, str] = {}
    for change in changes:
        concrete = _set(result, change.path, change.value)
        if change.origin:
            origins[dotted_path(concrete)] = change.origin
    return result, origins


def _set(data: dict[str, Any], path: FieldPath, value: Any) -> tuple[str | int, ...]:
    node: Any = data
    concrete: list[str | int] = []
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, dict) and isinstance(step, str):
            if last:
                if value is None:
                    node.pop(step, None)
                else:
                    node[step] = value
            else:
                wanted = list if isinstance(path[i + 1], (int, Match)) else dict
                if not isinstance(node.get(step), wanted):
                    node[step] = wanted()
                node = node[step]
            concrete.append(step)
        elif isinstance(node, list) and isinstance(step, (int, Match)):
            index = _index(node, step)
            if last:
                if value is None:  # the whole item removed (a product taken off the list)
                    del node[index]
                else:
                    node[index] = value
                concrete.append(index)
                break
            if not isinstance(node[index], dict):
                node[index] = {}
            concrete.append(index)
            node = node[index]
        else:
            raise ChangeError(f"bentuk data tidak sesuai di '{dotted_path(tuple(concrete))}'")
    return tuple(concrete)


def _index(items: list[Any], step: int | Match) -> int:
    if isinstance(step, int):
        while len(items) <= step:
            items.append({})
        return step
    wanted = step.value.strip().casefold()
    for i, item in enumerate(items):
        if isinstance(item, dict) and str(item.get(step.key, "")).strip().casefold() == wanted:
            return i
    items.append({step.key: step.value})
    return len(items) - 1


def dotted_path(path: tuple[str | int, ...]) -> str:
    """`("produk", 0, "nama")` → `produk[0].nama`, as validation problems name fields."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def origin_of(field: str, origins: Mapping[str, str]) -> str:
    """The origin of a problem's field: its own, or that of the closest parent or child that has one."""
    probe = field
    while probe:
        if probe in origins:
            return origins[probe]
        probe = re.sub(r"(?:\.[^.\[\]]+|\[[0-9]+\])$", "", probe) if re.search(r"[.\[]", probe) else ""
    children = sorted(key for key in origins if key.startswith((f"{field}.", f"{field}["))) if field else []
    return origins[children[0]] if children else ""


def photo_refs(data: Mapping[str, Any], spec: Field = ENTRY) -> list[str]:
    """Every photo path the entry refers to, in order (schema-driven: wherever `PHOTO_LIST` is used)."""
    found: list[str] = []
    for child in spec.fields:
        value = data.get(child.name) if isinstance(data, Mapping) else None
        if child is PHOTO_LIST and isinstance(value, list):
            found += [v for v in value if isinstance(v, str) and v]
        elif child.fields and isinstance(value, Mapping):
            found += photo_refs(value, child)
        elif child.fields and isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    found += photo_refs(item, child)
    return found


# --- YAML that reads back exactly ------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # List items indented under their key (`  - nama: ...`), as the README and samples write them.
        super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        # Double quotes, as the README and samples write quoted values.
        style: str = super().choose_scalar_style()
        return '"' if style == "'" else style


class _Plain(str):
    """Text the schema types as a number or date: written unquoted when YAML reads it as one."""


class _Quoted(str):
    """Digits with meaning (phone numbers, NIB): always double-quoted."""


def _represent_plain(dumper: yaml.SafeDumper, value: _Plain) -> yaml.ScalarNode:
    tag = dumper.resolve(yaml.ScalarNode, str(value), (True, False))
    if tag in (_INT, _TIMESTAMP):
        return dumper.represent_scalar(tag, str(value))
    return dumper.represent_str(str(value))


def _represent_quoted(dumper: yaml.SafeDumper, value: _Quoted) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    # Lists of text (photos, products a certificate covers) stay on one line, as the samples write them.
    flow = bool(value) and all(isinstance(v, str) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(_Plain, _represent_plain)
_Dumper.add_representer(_Quoted, _represent_quoted)
_Dumper.add_representer(list, _represent_list)
_Dumper.ignore_aliases = lambda self, data: True  # type: ignore[method-assign]


def dump_entry(data: Mapping[str, Any], story: str, *, schema_ref: str = SCHEMA_REF) -> str:
    """The text of an `index.md`: schema comment, front matter in schema order, then the story."""
    ordered = _ordered(data, ENTRY)
    front = yaml.dump(ordered, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False) if ordered else ""
    doc = parse_yaml(front)
    if doc.issues or (doc.data or {}) != _as_text(ordered):
        raise AssertionError(f"front matter tidak terbaca ulang dengan tepat:\n{front}")
    story = story if not story or story.endswith("\n") else story + "\n"
    return f"---\n# yaml-language-server: $schema={schema_ref}\n{front}---\n{story}"


def entry_skeleton(data: Mapping[str, Any], story: str, region: Region, *, schema_ref: str = SCHEMA_REF, notes: Iterable[str] = ()) -> str:
    """The `index.md` of `umkm baru`: `data` as front matter and, in schema order, every other field
    an owner may fill in as a commented example with its label and help (remove `#` to use it).
    Made from the schema, so a new field appears here without anyone editing a template."""
    lines = ["# Entri Katalog UMKM. Baris yang diawali '#' adalah contoh; hapus '#' untuk mengisi kolom.", '# Panduan lengkap: README.md (bagian "Format entri").']
    for spec in ENTRY.fields:
        if spec.name in data:
            lines.append(yaml.dump(_ordered({spec.name: data[spec.name]}, ENTRY), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000).rstrip("\n"))
        elif not spec.staff_only:
            lines += _example_lines(spec, region)
    lines += list(notes)
    front = "\n".join(lines) + "\n"
    doc = parse_yaml(front)
    if doc.issues or (doc.data or {}) != _as_text(_ordered(dict(data), ENTRY)):
        raise AssertionError(f"kerangka entri tidak terbaca ulang dengan tepat:\n{front}")
    story = story if not story or story.endswith("\n") else story + "\n"
    return f"---\n# yaml-language-server: $schema={schema_ref}\n{front}---\n{story}"


def _example_lines(spec: Field, region: Region, indent: str = "", first: str = "") -> list[str]:
    """`# name: example  # Label: help` for one field, its children below it; nothing without an example."""
    prefix = f"# {indent}{first}"
    if spec.type == "object" or (spec.type == "list" and spec.fields):
        children = [f for f in spec.fields if f.example or f.fields]
        if not children:
            return []
        out = [f"{prefix}{spec.name}:{_hint(spec, region)}"]
        inner = indent + "  "
        for number, child in enumerate(children):
            bullet = "- " if spec.type == "list" and number == 0 else ("  " if spec.type == "list" else "")
            out += _example_lines(child, region, inner, bullet)
        return out
    if not spec.example:
        return []
    return [f"{prefix}{spec.name}: {spec.example}{_hint(spec, region)}"]


def _hint(spec: Field, region: Region) -> str:
    words = spec.label + (f": {spec.help}" if spec.help else "")
    if spec.vocabulary:
        values = vocabulary(region, spec.vocabulary)
        if len(values) <= 12:
            words += f" ({', '.join(values)})"
    return f"    # {words}"


def _ordered(value: Any, spec: Field | None) -> Any:
    """Schema order, empty values dropped, scalars marked for the dumper by their schema type."""
    if isinstance(value, Mapping):
        known = [f.name for f in spec.fields] if spec else []
        keys = [k for k in known if k in value] + [k for k in value if k not in known]
        out = {}
        for key in keys:
            child = spec.child(key) if spec else None
            item = _ordered(value[key], child)
            if item not in (None, "", [], {}):
                out[str(key)] = item
        return out
    if isinstance(value, list):
        item_spec = None
        if spec is not None:
            item_spec = spec.item or Field(spec.name, "object", spec.label, fields=spec.fields)
        items = [_ordered(v, item_spec) for v in value]
        return [v for v in items if v not in (None, "", [], {})]
    if value is None:
        return None
    text = str(value)
    if spec is not None and spec.type in _PLAIN_TYPES:
        return _Plain(text)
    if (spec is not None and spec.type in _QUOTED_TYPES) or _NUMBER_LIKE.fullmatch(text):
        return _Quoted(text)
    return text


def _as_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return str(value)


# --- writing a folder whole ------------------------------------------------------------------------


def write_entry(
    folder: Path,
    data: Mapping[str, Any],
    story: str,
    photos: Mapping[str, bytes] | None = None,
    *,
    check: Callable[[Path], list[Problem]] | None = None,
    dry_run: bool = False,
    schema_ref: str = SCHEMA_REF,
) -> Written:
    """Write `folder/index.md` and new photos; photos no longer referenced are removed.

    The new folder is assembled in a hidden staging folder beside it (loaders skip names starting
    with '.'), checked there with `check`, and renamed into place only when it has no errors.
    """
    text = dump_entry(data, story, schema_ref=schema_ref)
    photos = dict(photos or {})
    for rel in photos:
        _check_relative(rel)
    index = folder / "index.md"
    old_text = index.read_text(encoding="utf-8-sig") if index.is_file() else ""
    old_refs: set[str] = set()
    if old_text:
        from generator.builder.load import load_entry

        raw, _ = load_entry(folder)
        if raw is not None and isinstance(raw.doc.data, dict):
            old_refs = set(photo_refs(raw.doc.data))
    new_refs = set(photo_refs(data))
    dropped = sorted(rel for rel in old_refs - new_refs if _is_safe(rel) and (folder / rel).is_file())
    diff = _diff(folder, old_text, text, photos, dropped)

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tulis-", dir=folder.parent))
    try:
        stage = staging / folder.name
        if folder.is_dir() and not folder.is_symlink():
            shutil.copytree(folder, stage, symlinks=True)
        else:
            stage.mkdir()
        for rel in dropped:
            (stage / rel).unlink(missing_ok=True)
        for rel, content in photos.items():
            target = stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (stage / "index.md").write_text(text, encoding="utf-8")
        problems = [_relocate(p, stage, folder) for p in (check(stage) if check else [])]
        if dry_run or errors_in(problems):
            return Written(problems, diff, False)
        swap_in(stage, folder)
        return Written(problems, diff, True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _relocate(problem: Problem, stage: Path, folder: Path) -> Problem:
    try:
        rel = problem.path.relative_to(stage)
    except ValueError:
        return problem
    return Problem(folder / rel, problem.line, problem.field, problem.message, problem.level)


def _check_relative(rel: str) -> None:
    if not _is_safe(rel):
        raise ValueError(f"jalur foto tidak aman: {rel!r}")


def _is_safe(rel: str) -> bool:
    pure = PurePosixPath(rel)
    return bool(rel) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in rel and pure.parts[0] != "index.md"


def _diff(folder: Path, old: str, new: str, photos: Mapping[str, bytes], dropped: list[str]) -> str:
    where = display_path(folder / "index.md")
    lines = list(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{where}" if old else "/dev/null",
            tofile=f"b/{where}",
        )
    )
    for rel in sorted(photos):
        if not (folder / rel).is_file():
            lines.append(f"foto baru: {display_path(folder / rel)} ({_size(len(photos[rel]))})\n")
    lines += [f"foto dihapus: {display_path(folder / rel)}\n" for rel in dropped]
    return "".join(lines)


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{-(-count // 1024)} KB"


def value_at(data: Mapping[str, Any], path: FieldPath) -> Any:
    """The value at a path, or None when any step is missing (nothing is created)."""
    node: Any = data
    for step in path:
        if isinstance(node, Mapping) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int):
            node = node[step] if step < len(node) else None
        elif isinstance(node, list) and isinstance(step, Match):
            wanted = step.value.strip().casefold()
            node = next((i for i in node if isinstance(i, Mapping) and str(i.get(step.key, "")).strip().casefold() == wanted), None)
        else:
            return None
    return node

"""Strict YAML: every scalar is text, with the file line of every value kept.

PyYAML's `safe_load` turns `0274512345` into 49452261, `NO` into False, `15.000` into 15.0 and
`10:30` into 630, keeps the last of duplicate keys and expands aliases. Owners write YAML by hand,
so we read every scalar as text and let the schema type it; duplicate keys, anchors, aliases and
explicit tags are reported as problems.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

Path_ = tuple[str | int, ...]  # path of a value inside the document, e.g. ("produk", 0, "nama")


@dataclass
class YamlDoc:
    """A parsed document: plain values (str, list, dict) and the line of every path."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    issues: list[tuple[int, str, str]] = field(default_factory=list)  # (line, field, message)

    def line(self, path: Path_) -> int | None:
        """The line of a path, or of its closest parent that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"{line}: {message}")


# libyaml's parser is about ten times faster than PyYAML's own; its error texts differ, so a
# document that fails is parsed again by the pure-Python parser for the messages we translate.
_FAST_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


def parse_yaml(text: str, first_line: int = 1) -> YamlDoc:
    """Parse one YAML document strictly; line numbers start at `first_line`."""
    try:
        return _compose(_FAST_LOADER(text), first_line)
    except yaml.YAMLError:
        if _FAST_LOADER is yaml.BaseLoader:
            raise
    try:
        return _compose(yaml.BaseLoader(text), first_line)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + first_line
        raise YamlSyntaxError(
            line, f"karakter tak terlihat atau karakter kendali tidak diizinkan (kode #x{exc.character:04X}); hapus karakter tersebut"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = _error_mark(exc)
        line = (mark.line if mark else 0) + first_line
        raise YamlSyntaxError(line, _describe_yaml_error(exc)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(first_line, f"YAML tidak valid ({exc})") from None


def _compose(loader: Any, first_line: int) -> YamlDoc:
    """Build plain values from the parser's events, keeping lines and refusing YAML's extras."""
    # The loader's own `get_event`, not `yaml.parse`: a generator around it costs as much as the
    # parsing itself. Events are still pulled one at a time, so errors surface where they did.
    try:
        doc = YamlDoc(data=None)
        next_event = loader.get_event
        nodes = 0
        while (event := next_event()) is not None:
            if event.__class__ is DocumentStartEvent:
                nodes += 1
                if nodes > 1:
                    # Same wording as PyYAML's composer, so the translation table applies.
                    raise yaml.composer.ComposerError(
                        "expected a single document in the stream", None, "but found another document", event.start_mark
                    )
                doc.data = _Composer(next_event, doc, first_line).value(next_event(), ())
    finally:
        loader.dispose()
    doc.issues.sort(key=lambda issue: issue[0])
    return doc


class _Composer:
    # Events are typed Any: their attributes (anchor, tag, value) depend on the class checked first.
    def __init__(self, next_event: Callable[[], Any], doc: YamlDoc, offset: int):
        self.next_event = next_event
        self.doc = doc
        self.offset = offset

    def value(self, event: Any, path: Path_) -> Any:
        line = event.start_mark.line + self.offset
        lines = self.doc.lines
        if path not in lines:
            lines[path] = line
        kind = event.__class__
        if kind is AliasEvent:
            self.issue(line, path, f"alias '*{event.anchor}' tidak diizinkan; tulis nilainya langsung")
            return ""
        if event.anchor is not None or event.tag is not None:
            self.check_extras(event, line, path)
        if kind is ScalarEvent:
            return event.value
        if kind is SequenceStartEvent:
            items: list[Any] = []
            next_event = self.next_event
            while (item := next_event()).__class__ is not SequenceEndEvent:
                items.append(self.value(item, (*path, len(items))))
            return items
        return self.mapping(path)

    def mapping(self, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        lines = self.doc.lines
        next_event = self.next_event
        offset = self.offset
        while (key_event := next_event()).__class__ is not MappingEndEvent:
            key_line = key_event.start_mark.line + offset
            if key_event.__class__ is not ScalarEvent:
                self.value(key_event, (*path, "\0"))  # consume the complex key
                lines.pop((*path, "\0"), None)
                self.issue(key_line, path, "kunci harus berupa teks biasa")
                self.skip(next_event())
                continue
            if key_event.anchor is not None or key_event.tag is not None:
                self.check_extras(key_event, key_line, path)
            key = key_event.value
            if key == "<<":
                self.issue(key_line, path, "penggabungan '<<' tidak diizinkan; tulis isinya langsung")
                self.skip(next_event())
                continue
            key_path = (*path, key)
            if key in result:
                self.issue(key_line, key_path, f"kunci ganda (sudah ada di baris {lines[key_path]}); hapus salah satunya")
                self.skip(next_event())
                continue
            lines[key_path] = key_line
            result[key] = self.value(next_event(), key_path)
        return result

    def skip(self, event: Event) -> None:
        """Consume a value that is not kept, without recording its lines."""
        depth = 1 if isinstance(event, CollectionStartEvent) else 0
        while depth:
            event = self.next_event()
            depth += isinstance(event, CollectionStartEvent) - isinstance(event, CollectionEndEvent)

    def check_extras(self, event: Event, line: int, path: Path_) -> None:
        if getattr(event, "anchor", None) is not None:
            self.issue(line, path, f"anchor '&{event.anchor}' tidak diizinkan; tulis nilainya langsung")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            tag = tag.replace("tag:yaml.org,2002:", "!!")
            self.issue(line, path, f"tag YAML '{tag}' tidak diizinkan; hapus tag tersebut")

    def issue(self, line: int, path: Path_, message: str) -> None:
        self.doc.issues.append((line, dotted(path), message))


def dotted(path: Path_) -> str:
    """Render a value path the way owners read it: `produk[0].foto[1]`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


_YAML_PROBLEMS = {
    "mapping values are not allowed here": "tanda ':' tidak diharapkan di sini; beri tanda kutip pada teks yang memuat ':'",
    "could not find expected ':'": "tanda ':' tidak ditemukan; setiap baris harus berbentuk 'kunci: nilai'",
    "found character '\\t' that cannot start any token": "karakter tab tidak boleh dipakai; gunakan spasi untuk indentasi",
    "did not find expected key": "indentasi tidak sesuai; periksa jumlah spasi di awal baris",
    "found unexpected end of stream": "tanda kutip atau kurung tidak ditutup",
    "did not find expected '-' indicator": "indentasi daftar tidak sesuai; periksa tanda '-' dan spasinya",
    "found undefined alias": "alias tidak diizinkan; tulis nilainya langsung",
    "expected <block end>": "indentasi tidak sesuai; periksa jumlah spasi di awal baris",
    "but found another document": "hanya boleh ada satu dokumen YAML; hapus baris '---' yang kedua",
    "expected ',' or ']'": "daftar dalam kurung [ ] tidak ditutup, atau butirnya tidak dipisah koma",
    "expected ',' or '}'": "isian dalam kurung { } tidak ditutup, atau isinya tidak dipisah koma",
}

# Errors whose cause is where something was opened (a quote, a `[`), not where the parser gave up:
# an unclosed quote on line 3 is otherwise reported at the end of the front matter.
_OPENED_AT = ("while scanning a quoted scalar", "while parsing a flow", "while scanning a simple key")


def _error_mark(exc: yaml.MarkedYAMLError) -> yaml.Mark | None:
    if exc.context_mark is not None and (exc.context or "").startswith(_OPENED_AT):
        return exc.context_mark
    return exc.problem_mark or exc.context_mark


def _describe_yaml_error(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").strip()
    for english, indonesian in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            return f"sintaks YAML tidak valid: {indonesian} (YAML: {problem})"
    context = f"; {exc.context}" if exc.context else ""
    return f"sintaks YAML tidak valid (YAML: {problem}{context})"

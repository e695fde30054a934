"""Strict YAML: every scalar is text, with the file line of every value kept.

PyYAML's `safe_load` turns `0274512345` into 49452261, `NO` into False, `15.000` into 15.0 and
`10:30` into 630, keeps the last of duplicate keys and expands aliases. Owners write YAML by hand,
so we read every scalar as text and let the schema type it; duplicate keys, anchors, aliases and
explicit tags are reported as problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

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


class _StrictLoader(yaml.BaseLoader):
    """BaseLoader (all scalars are str) that records anchors, aliases and tags instead of using them."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.found: list[tuple[tuple[int, int], str]] = []  # (line, column) of the node, message

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        line = (event.start_mark.line, event.start_mark.column)
        if isinstance(event, AliasEvent):
            self.get_event()
            self.found.append((line, f"alias '*{event.anchor}' tidak diizinkan; tulis nilainya langsung"))
            return ScalarNode("tag:yaml.org,2002:str", "", event.start_mark, event.end_mark)
        if isinstance(event, (ScalarEvent, CollectionStartEvent)):
            if event.anchor is not None:
                self.found.append((line, f"anchor '&{event.anchor}' tidak diizinkan; tulis nilainya langsung"))
                event.anchor = None
            if event.tag not in (None, "!"):
                tag = event.tag.replace("tag:yaml.org,2002:", "!!")
                self.found.append((line, f"tag YAML '{tag}' tidak diizinkan; hapus tag tersebut"))
                event.tag = None
        return super().compose_node(parent, index)


def parse_yaml(text: str, first_line: int = 1) -> YamlDoc:
    """Parse one YAML document strictly; line numbers start at `first_line`."""
    try:
        # The reader rejects control characters while it is constructed, so that is inside the `try`.
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + first_line
        raise YamlSyntaxError(line, f"karakter tak terlihat atau karakter kendali tidak diizinkan (kode #x{exc.character:04X}); hapus karakter tersebut") from None
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = _error_mark(exc)
        line = (mark.line if mark else 0) + first_line
        raise YamlSyntaxError(line, _describe_yaml_error(exc)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(first_line, f"YAML tidak valid ({exc})") from None
    finally:
        loader.dispose()
    doc = YamlDoc(data=None)
    # The node an anchor, alias or tag belongs to starts where it does: `x: !!tag [a]` is about `x`,
    # not about `x[0]` on the same line.
    at: dict[tuple[int, int], Path_] = {}
    if node is not None:
        doc.data = _to_python(node, (), doc, first_line, at)
    by_line = {line: path for path, line in sorted(doc.lines.items(), key=lambda item: len(item[0]))}
    for (line, column), message in loader.found:
        path = at.get((line, column), by_line.get(line + first_line, ()))
        doc.issues.append((line + first_line, dotted(path), message))
    doc.issues.sort(key=lambda issue: issue[0])
    return doc


def _to_python(node: Node, path: Path_, doc: YamlDoc, offset: int, at: dict[tuple[int, int], Path_]) -> Any:
    doc.lines.setdefault(path, node.start_mark.line + offset)
    at.setdefault((node.start_mark.line, node.start_mark.column), path)
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SequenceNode):
        return [_to_python(item, (*path, i), doc, offset, at) for i, item in enumerate(node.value)]
    assert isinstance(node, MappingNode)
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + offset
        if not isinstance(key_node, ScalarNode):
            doc.issues.append((key_line, dotted(path), "kunci harus berupa teks biasa"))
            continue
        key = key_node.value
        if key == "<<":
            doc.issues.append((key_line, dotted(path), "penggabungan '<<' tidak diizinkan; tulis isinya langsung"))
            continue
        if key in result:
            first = doc.lines[(*path, key)]
            doc.issues.append((key_line, dotted((*path, key)), f"kunci ganda (sudah ada di baris {first}); hapus salah satunya"))
            continue
        doc.lines[(*path, key)] = key_line
        result[key] = _to_python(value_node, (*path, key), doc, offset, at)
        doc.lines[(*path, key)] = key_line
    return result


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

"""Fingerprints that key every result kept between builds: of inputs, and of the code that made it.

A stored result (a validated entry, a processed photo, a rendered story, the search bundle) is used
again only when the fingerprint it was stored under is the fingerprint now. `code_fingerprint`
reads the generator's own source and the installed libraries' versions, so a change to a rule, an
allow-list or a library is a new key by itself: no version number is bumped by hand.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path


def fingerprint(*parts: object) -> str:
    """A hash of the values a record depends on besides its own folder."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


@cache
def code_fingerprint(*modules: str) -> str:
    """The source of `modules` and of every generator module they import, and the versions of the
    libraries: what a stored result was made by. Found from the code itself, so a change to any of
    it (a rule, an allow-list, a template filter) is a new key without anyone bumping a version.
    No module: the whole package."""
    return source_fingerprint(Path(__file__).resolve().parents[1], modules)


def source_fingerprint(package: Path, modules: Iterable[str]) -> str:
    """`code_fingerprint` of the package found in the folder `package` (a copy, in tests)."""
    if modules:
        sources = _module_closure(package, modules)
    else:
        sources = {p.relative_to(package.parent).with_suffix("").as_posix().replace("/", "."): p for p in package.rglob("*.py")}
    digest = hashlib.sha256()
    libraries: set[str] = set()
    for name in sorted(sources):
        text = sources[name].read_bytes()
        digest.update(name.encode() + b"\x00" + text)
        imported = (a or b for a, b in _IMPORTED.findall(text.decode()))
        libraries.update(m.split(".")[0] for m in imported if not m.startswith("generator"))
    for version in _library_versions(libraries):
        digest.update(version.encode() + b"\x00")
    return digest.hexdigest()


# `import x.y` and `from x.y import ...` at any indentation (lazy imports inside functions count).
_IMPORTED = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import|import[ \t]+([\w.]+))", re.MULTILINE)


def _module_closure(package: Path, modules: Iterable[str]) -> dict[str, Path]:
    """The source files of `modules` and of every generator module they import, transitively."""
    root = package.parent
    found: dict[str, Path] = {}
    todo = list(modules)
    while todo:
        name = todo.pop()
        path = root.joinpath(*name.split(".")).with_suffix(".py")
        if not path.is_file():
            path = root.joinpath(*name.split("."), "__init__.py")
        if name in found or not path.is_file():
            continue
        found[name] = path
        for match in _IMPORTED.finditer(path.read_text(encoding="utf-8")):
            imported = match.group(1) or match.group(2)
            if imported == "generator" or imported.startswith("generator."):
                todo.append(imported)
                # `from generator.core import schema` names a module in the import list
                line = match.string[match.end() : match.string.find("\n", match.end())]
                todo += [f"{imported}.{n.strip().split(' ')[0]}" for n in line.strip("( )").split(",") if n.strip()]
    return found


def _library_versions(imported: Iterable[str]) -> list[str]:
    """`name=version` of every runtime dependency the project declares (an import name such as
    `PIL` or `yaml` is not always its distribution's name) and of any other library imported by name."""
    wanted = set(_declared_dependencies()) | {n for n in imported if n not in sys.stdlib_module_names and n != "__future__"}
    out = []
    for name in sorted(wanted):
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue  # an import name that is no distribution's: its declared dependency counts
    return out


@cache
def _declared_dependencies() -> tuple[str, ...]:
    try:
        requirements = metadata.requires("katalog-umkm") or []
    except metadata.PackageNotFoundError:
        return ()
    return tuple(sorted({re.split(r"[ ;<>=!~\[(]", r, maxsplit=1)[0] for r in requirements if "extra ==" not in r}))


def tree_fingerprint(folder: Path | None) -> str:
    """The names and contents of every file below a folder (the page templates)."""
    digest = hashlib.sha256()
    if folder is not None:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\x00" + path.read_bytes())
    return digest.hexdigest()

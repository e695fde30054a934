"""docs/ARCHITECTURE.md is true to the code: every module and name it mentions exists, and imports point down."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOC = ROOT / "docs" / "ARCHITECTURE.md"
PACKAGE = ROOT / "generator"
# What each sub-package may import besides itself (see the picture in docs/ARCHITECTURE.md).
ALLOWED = {
    "core": {"core"},
    "outputs": {"core", "outputs"},
    "builder": {"core", "builder"},
    "intake": {"core", "builder", "intake"},
}
ORCHESTRATOR = "generator/builder/pipeline.py"  # the one builder module that calls the outputs
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(generator(?:\.\w+)*)[ \t]+import[ \t]+([^\n]+)|import[ \t]+(generator(?:\.\w+)*))", re.MULTILINE)


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def table_rows() -> list[tuple[str, list[str]]]:
    """(module path, names) of each row of the modules table."""
    rows = []
    for line in doc_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"`generator/[\w/]+\.py`", cells[0]):
            names = re.findall(r"`([A-Za-z_]\w*)(?:\(|`)", cells[2])
            rows.append((cells[0].strip("`"), names))
    return rows


def module_of(path: str) -> object:
    return importlib.import_module(path.removesuffix(".py").replace("/", "."))


def test_the_modules_table_lists_every_module_of_the_package() -> None:
    listed = {path for path, _ in table_rows()}
    present = {p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"}
    assert listed == present


@pytest.mark.parametrize("path,names", table_rows(), ids=[path for path, _ in table_rows()])
def test_every_entry_point_named_exists(path: str, names: list[str]) -> None:
    module = module_of(path)
    assert names, f"{path}: no entry point named"
    missing = [name for name in names if not hasattr(module, name)]
    assert missing == [], f"{path} has no {missing}"


def test_every_path_and_dotted_name_mentioned_exists() -> None:
    text = doc_text()
    for path in set(re.findall(r"`(generator/[\w/]+\.py)`", text)):
        assert (ROOT / path).is_file(), path
    for folder in set(re.findall(r"`((?:theme|docs|catalog|halaman|generator)/[\w/]*)/?`", text)):
        assert (ROOT / folder).exists(), folder
    dotted = set(re.findall(r"`((?:core|builder|outputs|intake)\.\w+\.\w+(?:\.\w+)?)", text))
    assert dotted, "the page names no dotted names"
    for name in sorted(dotted):
        parts = name.split(".")
        owner: object = importlib.import_module(f"generator.{parts[0]}.{parts[1]}")
        for attr in parts[2:]:
            assert hasattr(owner, attr), name
            owner = getattr(owner, attr)


def test_hooks_named_are_the_plugins() -> None:
    from generator.plugin import UmkmPlugin

    for hook in set(re.findall(r"\*\*`(on_\w+)`\*\*|`UmkmPlugin\.(on_\w+)`", doc_text())):
        name = next(h for h in hook if h)
        assert name in vars(UmkmPlugin), name


def imports_of(path: Path) -> set[str]:
    """The generator modules and packages a file imports (lazy imports inside functions too)."""
    found = set()
    for match in _IMPORT.finditer(path.read_text(encoding="utf-8")):
        base = match.group(1) or match.group(3)
        found.add(base)
        if match.group(2):  # `from generator.core import schema, links`
            found.update(f"{base}.{n.strip().split(' ')[0]}" for n in match.group(2).strip("()").split(",") if n.strip())
    return found


def test_imports_point_down() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        parts = rel.split("/")
        if len(parts) < 3:
            continue  # cli.py and plugin.py sit on top and may use everything
        package = parts[1]
        allowed = ALLOWED[package] | ({"outputs"} if rel == ORCHESTRATOR else set())
        for name in imports_of(path):
            target = name.split(".")
            if len(target) < 2 or target[1] not in ALLOWED:
                continue  # `generator` itself, or a top module such as generator.cli: checked below
            if target[1] not in allowed:
                wrong.append(f"{rel} imports {name}")
        assert not any(n in ("generator.cli", "generator.plugin") for n in imports_of(path)), f"{rel} imports an entry point"
    assert wrong == []

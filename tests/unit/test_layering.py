"""The package's import rules, checked by parsing every module's imports.

* No module imports another subpackage's private (``_x``) module: ``cio.a._b`` may be
  imported only from inside ``cio.a``.
* No import cycles between modules, counting imports inside functions (only imports
  under ``if TYPE_CHECKING:`` are left out: they never run).
* Every public exception class of the package is defined in ``cio/errors.py`` (a
  private one used only as a signal inside a module, never raised to users, may stay).
* ``import cio.models`` loads no HTTP, SQLite, settings, client, delivery or sandbox module.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import cio

ROOT = Path(cio.__file__).parent
PACKAGE = "cio"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}
PACKAGES = {_module_name(path) for path in ROOT.rglob("__init__.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk_runtime(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node`` except the bodies of ``if TYPE_CHECKING:`` blocks."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield other
                yield from _walk_runtime(other)
            continue
        yield child
        yield from _walk_runtime(child)


def _imports(module: str) -> set[str]:
    """The modules of the package that ``module`` imports at run time (anywhere in it)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if module in PACKAGES else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _walk_runtime(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            names = [source] + [f"{source}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(name for name in names if name in MODULES)
    found.discard(module)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def _owner(private: str) -> str | None:
    """The package that owns ``private`` when a part of its name is private, else None."""
    parts = private.split(".")
    for position, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:position])
    return None


def test_no_module_imports_another_subpackages_private_module() -> None:
    offences = []
    for module, targets in GRAPH.items():
        home = module if module in PACKAGES else module.rpartition(".")[0]
        for target in targets:
            owner = _owner(target)
            if owner is not None and not (home == owner or home.startswith(owner + ".")):
                offences.append(f"{module} imports {target}")
    assert offences == []


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            visit(node)
    return found


def test_there_are_no_import_cycles() -> None:
    assert _cycles() == []


def test_the_checker_sees_imports_inside_functions_and_skips_type_checking_blocks() -> None:
    assert "cio.models" in GRAPH["cio.delivery._bulk"]
    assert "cio.client" not in GRAPH["cio.io._import"]
    assert "cio.models" in GRAPH["cio.client"]


def test_every_exception_class_is_defined_in_errors() -> None:
    outside = []
    for module, path in MODULES.items():
        if module == "cio.errors":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ClassDef)
                and not node.name.startswith("_")
                and any(
                    isinstance(base, ast.Name) and base.id.endswith(("Error", "Exception"))
                    for base in node.bases
                )
            ):
                outside.append(f"{module}.{node.name}")
    assert outside == []


FORBIDDEN_FOR_MODELS = (
    "requests",
    "urllib3",
    "ssl",
    "sqlite3",
    "pydantic_settings",
    "cio._settings",
    "cio._transport",
    "cio.client",
    "cio.delivery",
    "cio.sandbox",
    "cio.services",
)


def test_importing_the_models_loads_no_http_sqlite_settings_client_delivery_or_sandbox() -> None:
    code = "import json, sys; import cio.models; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
    )
    heavy = [
        name
        for name in loaded
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_FOR_MODELS)
    ]
    assert heavy == []

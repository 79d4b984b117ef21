"""Every public name the package exports has a docstring, and public methods do too."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import cio

_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(cio.__path__, "cio.")
    if not any(part.startswith("_") for part in info.name.split(".")[1:])
    and not info.name.endswith("__main__")
)


def _public_members(module_name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", [])
    return [(f"{module_name}.{name}", getattr(module, name)) for name in names]


@pytest.mark.parametrize("module_name", _MODULES)
def test_public_names_are_documented(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert inspect.getdoc(module), f"{module_name} has no module docstring"
    missing = []
    for qualified, value in _public_members(module_name):
        if not (inspect.isclass(value) or inspect.isfunction(value)):
            continue
        if not inspect.getdoc(value):
            missing.append(qualified)
        if inspect.isclass(value):
            for attr, member in vars(value).items():
                if attr.startswith("_") or not inspect.isfunction(member):
                    continue
                if not inspect.getdoc(member):
                    missing.append(f"{qualified}.{attr}")
    assert not missing, f"undocumented public API: {missing}"

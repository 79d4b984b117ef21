"""Lazy public names for a package's ``__init__`` (PEP 562).

``import cio`` and ``import cio.models`` stay cheap: a name is imported from the module
that defines it the first time it is read, then kept in the package's namespace.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str,
    where: Mapping[str, str],
    namespace: MutableMapping[str, Any],
    names: Sequence[str],
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose names load on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    where : mapping
        Public name to the module that defines it; a name that is the module's own last
        part (``"semantic"`` -> ``"cio.models.semantic"``) is the module itself.
    namespace : mutable mapping
        The package's ``globals()``: a loaded name is kept there.
    names : sequence of str
        The package's ``__all__``.

    Returns
    -------
    tuple of (callable, callable)
        ``__getattr__`` and ``__dir__`` for the package.
    """

    def load(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        imported = importlib.import_module(module)
        value = imported if module.endswith(f".{name}") else getattr(imported, name)
        namespace[name] = value
        return value

    def listing() -> list[str]:
        return sorted({*namespace, *names})

    return load, listing

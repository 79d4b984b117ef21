from __future__ import annotations

import inspect
import subprocess
import sys

import cio
import cio.errors
from cio.cli import main


def test_all_matches_public_names() -> None:
    public = {
        name
        for name in dir(cio)
        if not name.startswith("_")
        and not inspect.ismodule(getattr(cio, name))
        and getattr(getattr(cio, name), "__module__", "").startswith("cio")
    }
    assert public == set(cio.__all__) - {"__version__"}
    for name in cio.__all__:
        assert getattr(cio, name) is not None


def test_names_are_imported_on_first_use_only() -> None:
    code = (
        "import sys, cio; assert 'cio.client' not in sys.modules; "
        "from cio import CustomerIOClient; assert 'cio.client' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_error_derives_from_root() -> None:
    for name in cio.errors.__all__:
        value = getattr(cio.errors, name)
        if inspect.isclass(value) and issubclass(value, Exception):
            assert issubclass(value, cio.CustomerIOError)
    assert issubclass(cio.ValidationError, ValueError)


def test_error_for_status_table() -> None:
    assert type(cio.errors.error_for_status(599)) is cio.ServerError
    assert type(cio.errors.error_for_status(418)) is cio.APIError
    assert "POST /track" in str(cio.errors.error_for_status(404, path="/track"))


def test_cli_version_and_help(capsys: object) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cio.cli", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"cio {cio.__version__}"
    assert main([]) == 0

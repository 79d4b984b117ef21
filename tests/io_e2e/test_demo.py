"""``make demo`` runs ``python -m cio.demo``: it must finish cleanly and show the broken rows."""

from __future__ import annotations

import pytest

from cio.demo import main

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.timeout(60)]


def test_demo_validates_imports_and_summarises(capsys) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "2500 rows, 2496 valid, 4 invalid, 4 errors, 1 warning\n" in out
    for error_type in (
        "email_undeliverable",
        "blank_string",
        "ragged_row",
        "missing_identity",
        "timezone_aware",
    ):
        assert error_type in out
    assert "event Order Completed            1500" in out
    assert "duplicates                       0" in out
    assert "not-an-email-address" not in out


def test_demo_without_sample_files_says_how_to_make_them(tmp_path, capsys) -> None:
    assert main([str(tmp_path)]) == 1
    assert "examples/generate.py" in capsys.readouterr().err

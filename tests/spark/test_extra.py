"""cio.spark imports without pyspark and says which extra to install."""

from __future__ import annotations

import sys

import pytest

import cio.spark
from cio.errors import ConfigurationError


@pytest.mark.parametrize("missing", ["pyspark", "pyarrow"])
def test_a_missing_extra_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(ConfigurationError) as caught:
        cio.spark.send(object(), kind="identify")
    message = str(caught.value)
    assert "pip install 'cio[spark]'" in message
    assert "\n" not in message
    with pytest.raises(ConfigurationError, match=r"cio\[spark\]"):
        cio.spark.local_session()


def test_the_result_schema_lists_the_result_columns() -> None:
    assert cio.spark.RESULT_DDL == (
        "key string, message_id string, status string, error_code string, reason string, "
        "warnings string"
    )

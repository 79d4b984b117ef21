from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest

import cio
from cio import ConfigurationError, CustomerIOClient, Settings
from cio.testing import RecordingTransport

SECRET = "s3cr3t-key-value"


def test_missing_key_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="CIO_API_KEY"):
        Settings()


def test_blank_key_is_missing() -> None:
    with pytest.raises(ConfigurationError, match="CIO_API_KEY"):
        Settings(api_key="   ")


def test_basic_auth_for_classic_keys() -> None:
    settings = Settings(api_key=SECRET)
    expected = "Basic " + base64.b64encode(f"{SECRET}:".encode()).decode()
    assert settings.authorization == expected
    assert base64.b64decode(settings.authorization.split()[1]) == f"{SECRET}:".encode()


@pytest.mark.parametrize(
    ("key", "region", "url"),
    [
        ("pk_us_abc", "us", "https://cdp.customer.io/v1"),
        ("sk_eu_abc", "eu", "https://cdp-eu.customer.io/v1"),
        ("pk_eu_xyz", "eu", "https://cdp-eu.customer.io/v1"),
    ],
)
def test_regional_keys_select_region_and_bearer(key: str, region: str, url: str) -> None:
    settings = Settings(api_key=key)
    assert settings.resolved_region == region
    assert settings.resolved_base_url == url
    assert settings.authorization == f"Bearer {key}"


def test_regional_key_contradicting_region_is_an_error() -> None:
    with pytest.raises(ConfigurationError, match="EU region"):
        Settings(api_key="sk_eu_abc", region="us")


def test_region_and_base_url_selection() -> None:
    assert Settings(api_key="k").resolved_base_url == "https://cdp.customer.io/v1"
    assert Settings(api_key="k", region="eu").resolved_base_url == "https://cdp-eu.customer.io/v1"
    custom = Settings(api_key="k", region="eu", base_url="http://127.0.0.1:8080/v1/")
    assert custom.resolved_base_url == "http://127.0.0.1:8080/v1"


def test_base_url_must_be_http() -> None:
    with pytest.raises(Exception, match="base_url"):
        Settings(api_key="k", base_url="ftp://example")


def test_precedence_argument_over_env_over_dotenv(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("CIO_API_KEY=from-dotenv\nCIO_REGION=eu\nCIO_TIMEOUT=3\n")
    assert Settings().api_key is not None
    assert Settings().api_key.get_secret_value() == "from-dotenv"  # type: ignore[union-attr]
    assert Settings().resolved_region == "eu"
    monkeypatch.setenv("CIO_API_KEY", "from-env")
    monkeypatch.setenv("CIO_TIMEOUT", "7")
    settings = Settings()
    assert settings.api_key.get_secret_value() == "from-env"  # type: ignore[union-attr]
    assert settings.timeout == 7
    explicit = Settings(api_key="from-arg", timeout=2)
    assert explicit.api_key.get_secret_value() == "from-arg"  # type: ignore[union-attr]
    assert explicit.timeout == 2


def test_env_configures_every_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIO_API_KEY", "k")
    monkeypatch.setenv("CIO_REGION", "EU")
    monkeypatch.setenv("CIO_MAX_RETRIES", "2")
    monkeypatch.setenv("CIO_RATE_LIMIT", "10")
    monkeypatch.setenv("CIO_STRICT", "true")
    settings = Settings()
    assert (settings.resolved_region, settings.max_retries, settings.rate_limit) == ("eu", 2, 10)
    assert settings.strict is True


def test_key_never_in_repr_or_str() -> None:
    settings = Settings(api_key=SECRET)
    client = CustomerIOClient(api_key=SECRET)
    for text in (repr(settings), str(settings), repr(client), repr(client.transport)):
        assert SECRET not in text
    client.close()


def test_key_not_in_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as info:
        Settings(api_key="sk_eu_" + SECRET, region="us")
    assert SECRET not in str(info.value)


def test_client_arguments_override_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIO_API_KEY", "env-key")
    client = CustomerIOClient(region="eu", strict=True, transport=RecordingTransport())
    assert client.settings.resolved_base_url == "https://cdp-eu.customer.io/v1"
    assert client.settings.strict is True
    client.close()


def test_client_refuses_settings_and_arguments_together() -> None:
    with pytest.raises(TypeError):
        CustomerIOClient(api_key="k", settings=Settings(api_key="k"))


def test_logger_has_null_handler_and_root_untouched() -> None:
    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("cio").handlers)
    assert cio.__version__


@pytest.mark.parametrize(
    ("variable", "value", "fix"),
    [
        ("CIO_REGION", "europe", "us or eu"),
        ("CIO_TIMEOUT", "abc", "number of seconds"),
        ("CIO_TIMEOUT", "-1", "greater than 0"),
        ("CIO_MAX_RETRIES", "many", "whole number"),
        ("CIO_RATE_LIMIT", "0", "greater than 0"),
        ("CIO_STRICT", "maybe", "true or false"),
        ("CIO_BASE_URL", "localhost:8080", "http://"),
    ],
)
def test_bad_environment_value_is_a_configuration_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, fix: str
) -> None:
    monkeypatch.setenv("CIO_API_KEY", SECRET)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as info:
        CustomerIOClient()
    message = str(info.value)
    assert variable in message
    assert fix in message
    assert "\n" not in message
    assert SECRET not in message
    assert info.value.__cause__ is None  # no pydantic chain printed under it


def test_bad_argument_is_a_configuration_error_naming_variable_and_argument() -> None:
    with pytest.raises(ConfigurationError, match=r"CIO_REGION must be us or eu.*region= argument"):
        CustomerIOClient(api_key=SECRET, region="europe")
    with pytest.raises(
        ConfigurationError, match=r"CIO_TIMEOUT must be a number.*timeout= argument"
    ):
        Settings(api_key=SECRET, timeout="soon")


def test_several_bad_values_are_all_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIO_REGION", "mars")
    monkeypatch.setenv("CIO_TIMEOUT", "abc")
    with pytest.raises(ConfigurationError) as info:
        Settings(api_key=SECRET)
    assert "CIO_REGION" in str(info.value)
    assert "CIO_TIMEOUT" in str(info.value)


def test_key_hint_shows_only_the_last_characters() -> None:
    assert Settings(api_key="abcdefghijklmnop1234").key_hint == "...1234"
    assert "abcd" not in Settings(api_key="abcdefghijklmnop1234").key_hint
    assert Settings(api_key="short").key_hint == "(hidden)"

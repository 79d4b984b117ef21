"""Client settings: explicit arguments, then ``CIO_*`` environment variables, then ``.env``."""

from __future__ import annotations

import base64
import re
from typing import Any, Literal

import pydantic
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cio._constants import (
    BASE_URLS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_RATE_LIMIT,
    DEFAULT_REGION,
    DEFAULT_TIMEOUT_SECONDS,
    ENV_API_KEY,
    ENV_FILE,
    ENV_PREFIX,
)
from cio.errors import ConfigurationError

__all__ = ["Region", "Settings"]

Region = Literal["us", "eu"]

# Keys of the newer form carry their region: pk_us_..., sk_eu_...
_REGIONAL_KEY = re.compile(r"^(?:pk|sk)_(us|eu)_")

# Keys shorter than this are not hinted at all: their last characters would be most of them.
_KEY_HINT_MIN_LENGTH = 12
_KEY_HINT_CHARS = 4

# What a value of each setting must look like, by pydantic error type, said in the user's
# words (the environment variable is named by the caller; the value is never repeated).
_EXPECTED_BY_ERROR_TYPE: dict[str, str] = {
    "literal_error": "must be us or eu",
    "float_parsing": "must be a number of seconds, such as 30",
    "float_type": "must be a number of seconds, such as 30",
    "int_parsing": "must be a whole number, such as 3",
    "int_type": "must be a whole number, such as 3",
    "int_from_float": "must be a whole number, such as 3",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "greater_than": "must be greater than 0",
    "greater_than_equal": "must be 0 or more",
    "string_type": "must be text",
}


# How a message names the Python argument; the command line drops it (it has no arguments
# for settings, only environment variables).
_ARGUMENT_HINT = " (or the {field}= argument)"
_ARGUMENT_HINT_PATTERN = re.compile(r" \(or the \w+= argument\)")


def without_argument_hints(message: str) -> str:
    """A settings message in the command line's words: environment variables only.

    Parameters
    ----------
    message : str
        The text of a :class:`ConfigurationError` raised by :class:`Settings`.

    Returns
    -------
    str
        The message without its ``(or the region= argument)`` hints.

    Example
    -------
    >>> without_argument_hints("CIO_REGION must be us or eu (or the region= argument)")
    'CIO_REGION must be us or eu'
    """
    return _ARGUMENT_HINT_PATTERN.sub("", message)


def _describe_setting_error(error: Any) -> str:
    field_name = str(error["loc"][0]) if error["loc"] else "settings"
    variable = f"{ENV_PREFIX}{field_name.upper()}"
    if error["type"] == "value_error":
        # Raised by our own validators: their message says what is expected.
        expected = str(error["msg"]).removeprefix("Value error, ")
    else:
        expected = _EXPECTED_BY_ERROR_TYPE.get(error["type"], str(error["msg"]).lower())
    return (
        f"{variable} {expected}; fix the {variable} environment variable or .env entry"
        + _ARGUMENT_HINT.format(field=field_name)
    )


def configuration_error(exc: pydantic.ValidationError) -> ConfigurationError:
    """Translate pydantic's error about settings into one line per bad setting.

    Parameters
    ----------
    exc : pydantic.ValidationError
        Raised while reading the settings.

    Returns
    -------
    ConfigurationError
        Naming each environment variable, what its value must be and where to fix it;
        never the value.
    """
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    return ConfigurationError("; and ".join(_describe_setting_error(error) for error in errors))


class Settings(BaseSettings):
    """Configuration of a :class:`cio.CustomerIOClient`.

    Every field can be given as an argument, as an environment variable with the
    ``CIO_`` prefix (``CIO_API_KEY``, ``CIO_REGION`` ...), or in a ``.env`` file, in
    that order of precedence.

    Parameters
    ----------
    api_key : SecretStr
        The source's API key (``CIO_API_KEY``). Required.
    region : {"us", "eu"}, optional
        Data centre; inferred from ``pk_eu_``/``sk_eu_`` keys, else ``us``.
    base_url : str, optional
        Full API root including ``/v1``; overrides the region (the sandbox uses it).
    timeout : float
        Read timeout in seconds for each attempt.
    max_retries : int
        Retries after the first attempt for retryable failures.
    rate_limit : int
        Requests allowed per 3-second window, shared by everything using one client.
    strict : bool
        Send ``X-Strict-Mode: 1`` so the API answers 400 for invalid events.
    log_payloads : bool
        Log request bodies at DEBUG (emails masked). Off by default: payloads are personal data.
    warnings : {"warn", "error"}
        What to do with a message the API accepts but that is probably a mistake
        (``CIO_WARNINGS``): ``warn`` sends it and reports located warnings, ``error``
        refuses it like an invalid message (see ``docs/models.md``, "Three outcomes").

    Raises
    ------
    ConfigurationError
        When no API key is configured or the key's region contradicts ``region``.

    Example
    -------
    >>> settings = Settings(api_key="my-key", region="eu")
    >>> settings.resolved_base_url
    'https://cdp-eu.customer.io/v1'
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
    )

    api_key: SecretStr | None = None
    region: Region | None = None
    base_url: str | None = None
    timeout: float = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0)
    max_retries: int = Field(default=DEFAULT_MAX_RETRIES, ge=0)
    rate_limit: int = Field(default=DEFAULT_RATE_LIMIT, gt=0)
    strict: bool = False
    log_payloads: bool = False
    warnings: Literal["warn", "error"] = "warn"

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except pydantic.ValidationError as exc:
            raise configuration_error(exc) from None

    @field_validator("region", mode="before")
    @classmethod
    def _lower_region(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(
                "must start with http:// or https://, such as http://127.0.0.1:8080/v1"
            )
        return value.rstrip("/")

    def model_post_init(self, context: Any, /) -> None:
        """Check the key is present and agrees with the region."""
        if self.api_key is None or not self.api_key.get_secret_value().strip():
            raise ConfigurationError(
                f"no API key: set the {ENV_API_KEY} environment variable or put "
                f"{ENV_API_KEY}=... in a .env file" + _ARGUMENT_HINT.format(field="api_key")
            )
        key_region = self.key_region
        if key_region and self.region and key_region != self.region:
            raise ConfigurationError(
                f"the API key is for the {key_region.upper()} region but {ENV_PREFIX}REGION"
                + _ARGUMENT_HINT.format(field="region")
                + f" says {self.region}; unset {ENV_PREFIX}REGION or make them agree"
            )

    @property
    def key_region(self) -> Region | None:
        """The region named by a ``pk_us_``/``sk_eu_`` style key, else ``None``."""
        match = _REGIONAL_KEY.match(self._key())
        return match.group(1) if match else None  # type: ignore[return-value]

    @property
    def resolved_region(self) -> Region:
        """The region in force: explicit, else from the key, else ``us``."""
        return self.region or self.key_region or DEFAULT_REGION

    @property
    def resolved_base_url(self) -> str:
        """The API root in force: ``base_url`` if set, else the region's URL."""
        return self.base_url or BASE_URLS[self.resolved_region]

    @property
    def key_hint(self) -> str:
        """The key's last four characters (``...1a2b``), to tell keys apart in messages.

        Keys too short to hide most of themselves are shown as ``(hidden)``.
        """
        key = self._key()
        if len(key) < _KEY_HINT_MIN_LENGTH:
            return "(hidden)"
        return f"...{key[-_KEY_HINT_CHARS:]}"

    @property
    def destination(self) -> str:
        """Where requests go, in one line: URL, why that URL, and the key's hint.

        Example
        -------
        >>> Settings(api_key="my-test-key-1234", region="eu").destination
        'https://cdp-eu.customer.io/v1 (region eu, key ...1234)'
        """
        why = "custom base URL" if self.base_url else f"region {self.resolved_region}"
        return f"{self.resolved_base_url} ({why}, key {self.key_hint})"

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value: Bearer for regional keys, else Basic."""
        key = self._key()
        if self.key_region:
            return f"Bearer {key}"
        token = base64.b64encode(f"{key}:".encode()).decode("ascii")
        return f"Basic {token}"

    def _key(self) -> str:
        assert self.api_key is not None  # checked in model_post_init
        return self.api_key.get_secret_value()

"""The API's rules applied to one request body: parse once, check sizes, validate each message.

Pure functions of (endpoint, body, strict); the server decides what to record. The
rules follow the Data Pipelines reference:

* a message may be at most 32 KB and a batch body at most 500 KB;
* the batch envelope is what the official libraries send: ``batch`` plus ``sentAt``,
  ``writeKey``, ``context``, ``integrations`` (and ``_metadata``, ``messageId``); a field
  of the wrong type is a 400, an unknown one is ignored (and recorded as a warning);
* every message must validate against the library's own models, and a message sent to
  a single-message endpoint must be of that endpoint's type (a missing ``type`` is
  taken from the endpoint, as the API does);
* permissive mode (the API's default) answers 200 and drops what fails, recording why;
  strict mode answers 400 naming every failing item, and accepts nothing;
* in both modes, what the API accepts but is probably a mistake (an email that cannot
  receive mail, an unknown field) is accepted and recorded as a warning.

Error answers have the documented shape (``{"meta": {"errors": [...]}}``) plus the
``code`` and ``message`` keys the official Python libraries read. No answer or reason
ever contains an input value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from cio._constants import MAX_BATCH_BYTES, MAX_MESSAGE_BYTES
from cio.errors import ErrorDetail, ValidationError
from cio.models import advise, intake

__all__ = ["Advice", "Outcome", "process_body"]

STATUS_OK: Final = 200
STATUS_BAD_REQUEST: Final = 400

OK_BODY: Final = b'{"success":true}'
ERROR_CODE_INVALID: Final = "invalid_request"
_BATCH_KEY: Final = "batch"
_ENVELOPE_SHARED_KEYS: Final = ("context", "integrations")
# What the official libraries put beside "batch", with the JSON type each must have.
_ENVELOPE_TYPES: Final[Mapping[str, tuple[type, str]]] = {
    "context": (dict, "an object"),
    "integrations": (dict, "an object"),
    "sentAt": (str, "an ISO 8601 date-time string"),
    "writeKey": (str, "a string"),
    "_metadata": (dict, "an object"),
    "messageId": (str, "a string"),
}
_ISO_DATE_TIME_FIELDS: Final = ("sentAt",)
_MESSAGE_TYPES: Final = ("identify", "track", "page", "screen", "group", "alias")
_UNKNOWN_TYPE_MESSAGE: Final = "type must be one of " + ", ".join(_MESSAGE_TYPES)


@dataclass(frozen=True, slots=True)
class Failure:
    """One message that did not pass, with where and why."""

    index: int | None
    message: dict[str, Any] | None
    errors: tuple[ErrorDetail, ...]

    @property
    def reason(self) -> str:
        """The problems as one line, without values."""
        return "; ".join(str(detail) for detail in self.errors)


@dataclass(frozen=True, slots=True)
class Advice:
    """What the API accepts but is probably a mistake, in one message or the envelope."""

    index: int | None
    message_id: str | None
    warnings: tuple[ErrorDetail, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer to one request and what it means for the records.

    Parameters
    ----------
    status : int
        HTTP status to answer.
    body : bytes
        JSON answer.
    accepted : list of dict
        Messages to record as accepted (wire form, ``type`` and ``messageId`` filled in).
    failures : list of Failure
        Messages to record as dropped (permissive mode only).
    message_count : int
        Messages found in the body.
    advice : list of Advice
        Warnings found in accepted messages and in the envelope.
    """

    status: int
    body: bytes
    accepted: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    message_count: int = 0
    advice: list[Advice] = field(default_factory=list)


def error_body(error: str, failures: list[Failure] | None = None) -> bytes:
    """A JSON error answer: the documented shape plus what the official libraries read.

    ``meta.errors`` is the OpenAPI document's 400 body (a list of strings); ``code`` and
    ``message`` are what ``customerio-cdp-analytics`` and ``segment-analytics-python``
    read from an error answer; ``errors`` lists each problem with index, field and type.

    Parameters
    ----------
    error : str
        One-line summary, without values.
    failures : list of Failure, optional
        The failing messages.

    Returns
    -------
    bytes
    """
    lines = [error]
    if failures:
        lines = [
            f"{detail.field}: {detail.msg}" for failure in failures for detail in failure.errors
        ]
    data: dict[str, Any] = {
        "success": False,
        "code": ERROR_CODE_INVALID,
        "message": error,
        "error": error,
        "meta": {"errors": lines},
    }
    if failures is not None:
        data["errors"] = [
            {
                "index": failure.index,
                "field": detail.field,
                "message": detail.msg,
                "type": detail.type,
            }
            for failure in failures
            for detail in failure.errors
        ]
    return json.dumps(data, separators=(",", ":")).encode()


def bad_request(error: str) -> Outcome:
    """A 400 for a request whose body is not usable at all (not for invalid messages).

    Parameters
    ----------
    error : str
        What is wrong, without values.

    Returns
    -------
    Outcome
    """
    return Outcome(STATUS_BAD_REQUEST, error_body(error))


def _located_details(
    exc: ValidationError, prefix: tuple[str | int, ...]
) -> tuple[ErrorDetail, ...]:
    details = []
    for detail in exc.errors:
        msg = _UNKNOWN_TYPE_MESSAGE if detail.type == "union_tag_invalid" else detail.msg
        details.append(ErrorDetail(prefix + detail.loc, msg, detail.type))
    return tuple(details)


def _compact_size(item: Any) -> int:
    return len(json.dumps(item, separators=(",", ":"), ensure_ascii=False).encode())


def _check_message(
    item: Any, index: int | None, endpoint_type: str | None, oversized: bool
) -> Failure | Advice | None:
    prefix: tuple[str | int, ...] = () if index is None else (_BATCH_KEY, index)
    if not isinstance(item, dict):
        detail = ErrorDetail(prefix, "a message must be a JSON object", "message_type")
        return Failure(index, None, (detail,))
    if oversized:
        detail = ErrorDetail(
            prefix, f"message is larger than {MAX_MESSAGE_BYTES} bytes", "message_too_large"
        )
        return Failure(index, item, (detail,))
    if endpoint_type is not None:
        kind = item.setdefault("type", endpoint_type)
        if kind != endpoint_type:
            detail = ErrorDetail(
                (*prefix, "type"),
                f"this endpoint takes {endpoint_type} messages only",
                "type_mismatch",
            )
            return Failure(index, item, (detail,))
    try:
        accepted = intake(item, check_size=False)
    except ValidationError as exc:
        return Failure(index, item, _located_details(exc, prefix))
    if "messageId" not in item:
        item["messageId"] = accepted.message_id
    # Warnings of the message as received (the API reads what was sent, not our re-encoding).
    found = advise(item)
    if found:
        return Advice(index, item.get("messageId"), tuple(_prefixed(found, prefix)))
    return None


def _prefixed(details: tuple[ErrorDetail, ...], prefix: tuple[str | int, ...]) -> list[ErrorDetail]:
    return [ErrorDetail(prefix + detail.loc, detail.msg, detail.type) for detail in details]


def _envelope_problem(data: dict[str, Any]) -> str | None:
    """Why the envelope's own fields are unusable (a wrong JSON type), or ``None``."""
    for key, (expected, described) in _ENVELOPE_TYPES.items():
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, expected):
            return f"{key} in the batch body must be {described}"
        if key in _ISO_DATE_TIME_FIELDS and not _is_iso_date_time(str(value)):
            return f"{key} in the batch body must be {described}"
    return None


def _is_iso_date_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _envelope_advice(data: dict[str, Any]) -> list[Advice]:
    unknown = sorted(set(data) - {_BATCH_KEY, *_ENVELOPE_TYPES})
    if not unknown:
        return []
    details = tuple(
        ErrorDetail((key,), "not a field of the batch body: the API ignores it", "unknown_field")
        for key in unknown
    )
    return [Advice(None, None, details)]


def _parse_envelope(data: Any) -> tuple[list[Any] | None, str | None]:
    if not isinstance(data, dict):
        return None, "the body must be a JSON object with a batch array"
    items = data.get(_BATCH_KEY)
    if not isinstance(items, list) or not items:
        return None, "the body needs a non-empty batch array"
    problem = _envelope_problem(data)
    if problem is not None:
        return None, problem
    shared = {key: data[key] for key in _ENVELOPE_SHARED_KEYS if key in data}
    if shared:
        # context and integrations in the envelope apply to every call in the batch
        for item in items:
            if isinstance(item, dict):
                for key, value in shared.items():
                    item.setdefault(key, value)
    return items, None


def process_body(endpoint_type: str | None, body: bytes, *, strict: bool) -> Outcome:
    """Apply the API's rules to a request body.

    Parameters
    ----------
    endpoint_type : str or None
        The message type of a single-message endpoint (``"track"`` for ``/track``), or
        ``None`` for ``/batch``.
    body : bytes
        The request body.
    strict : bool
        Answer 400 for invalid messages instead of dropping them.

    Returns
    -------
    Outcome
    """
    try:
        data = json.loads(body)
    except ValueError:
        return bad_request("the body is not valid JSON")
    except RecursionError:
        return bad_request("the body is nested too deeply")
    advice: list[Advice] = []
    if endpoint_type is None:
        items, problem = _parse_envelope(data)
        if items is None:
            return bad_request(problem or "invalid batch body")
        advice = _envelope_advice(data)
        batch_too_large = len(body) > MAX_BATCH_BYTES
        # No single item can be larger than the body that holds it.
        may_hold_large_item = len(body) > MAX_MESSAGE_BYTES
    else:
        if not isinstance(data, dict):
            return bad_request("the body must be a JSON object")
        items = [data]
        batch_too_large = False
        may_hold_large_item = False
    failures: list[Failure] = []
    accepted: list[dict[str, Any]] = []
    if batch_too_large:
        too_large = f"batch body is larger than {MAX_BATCH_BYTES} bytes"
        if strict:
            detail = ErrorDetail((_BATCH_KEY,), too_large, "batch_too_large")
            return Outcome(
                STATUS_BAD_REQUEST,
                error_body(too_large, [Failure(None, None, (detail,))]),
                message_count=len(items),
            )
        failures = [
            Failure(
                index,
                item if isinstance(item, dict) else None,
                (ErrorDetail((_BATCH_KEY, index), too_large, "batch_too_large"),),
            )
            for index, item in enumerate(items)
        ]
    else:
        single = endpoint_type is not None
        for index, item in enumerate(items):
            oversized = (
                len(body) > MAX_MESSAGE_BYTES
                if single
                else may_hold_large_item and _compact_size(item) > MAX_MESSAGE_BYTES
            )
            found = _check_message(item, None if single else index, endpoint_type, oversized)
            if isinstance(found, Failure):
                failures.append(found)
                continue
            accepted.append(item)
            if found is not None:
                advice.append(found)
    if failures and strict:
        error = f"{len(failures)} of {len(items)} message(s) invalid; nothing was accepted"
        return Outcome(STATUS_BAD_REQUEST, error_body(error, failures), message_count=len(items))
    return Outcome(STATUS_OK, OK_BODY, accepted, failures, len(items), advice)

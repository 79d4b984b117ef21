"""The bulk path: validate and serialize each message once, hand the bytes to the engine.

Every item goes through :func:`cio.models.intake`, the one road from an input to wire
bytes (dicts take its compiled fast path; ready models are serialized as they are).
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import operator
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pydantic

from cio._constants import BULK_INPUT_LOCATION
from cio._transport import Response
from cio.delivery._constants import MAX_REPORT_FAILURES, MAX_TRACKED_GIVEN_IDS
from cio.delivery._deadletters import (
    DeadLetterStore,
    JsonLinesDeadLetterStore,
    MemoryDeadLetterStore,
)
from cio.delivery._engine import DeliveryEngine, Progress
from cio.delivery._report import BatchReport, DeliveryInterrupted
from cio.errors import CustomerIOError, ErrorDetail, PayloadTooLargeError, ValidationError
from cio.models import Accepted, EncodedMessage, Message, enforce_policy, intake, parse_message

__all__ = [
    "Advice",
    "DeadLettersOption",
    "MessageInput",
    "encode_item",
    "open_dead_letters",
    "parse_item",
    "send_messages",
]

logger = logging.getLogger(__name__)

MessageInput = Message | EncodedMessage | Mapping[str, Any]
DeadLettersOption = str | Path | DeadLetterStore | None

_SQLITE_SUFFIXES = frozenset({".db", ".sqlite", ".sqlite3"})
_SHOWN_REUSED = 10
INTERRUPT_GRACE_SECONDS = 2.0
"""After Ctrl-C, how long requests already under way may take to be answered."""


def open_dead_letters(option: DeadLettersOption) -> tuple[DeadLetterStore, bool]:
    """Turn the ``dead_letters=`` argument into a store.

    Parameters
    ----------
    option : str, Path, DeadLetterStore or None
        ``None`` keeps them in memory; a ``.db``/``.sqlite`` path uses that SQLite
        outbox's ``dead_letters`` table; any other path is a JSON Lines file.

    Returns
    -------
    tuple of (DeadLetterStore, bool)
        The store, and whether it was opened here (and should be closed by the caller).
    """
    if option is None:
        return MemoryDeadLetterStore(), True
    if isinstance(option, (str, Path)):
        path = Path(option)
        if path.suffix.lower() in _SQLITE_SUFFIXES:
            from cio.delivery._outbox import Outbox  # noqa: PLC0415 - sqlite only when asked

            return Outbox(path).dead_letter_store, True
        return JsonLinesDeadLetterStore(path), True
    return option, False


def parse_item(item: object, index: int) -> Message:
    """Validate one input item into a message model.

    Parameters
    ----------
    item : Message or mapping
        A ready model, or a wire-form/snake_case dict with a ``type`` key.
    index : int
        Its position in the input, used as the error location.

    Returns
    -------
    Message

    Raises
    ------
    ValidationError
        Located at ``messages.<index>...``, never with the value.
    """
    if isinstance(item, Message):
        return item
    # type() first: an exact dict is the common case and skips the slower ABC check.
    if type(item) is dict or isinstance(item, Mapping):
        try:
            return parse_message(item)
        except pydantic.ValidationError as exc:
            raise _located(exc, index) from None
    raise _not_a_message(item, index)


def encode_item(item: object, index: int) -> Accepted:
    """Validate and serialize one input item through :func:`cio.models.intake`.

    Parameters
    ----------
    item : Message, EncodedMessage or mapping
        A ready model, a message already validated by
        :func:`~cio.models.encode_message`, or a wire-form/snake_case dict with a
        ``type`` key.
    index : int
        Its position in the input, used as the error location.

    Returns
    -------
    Accepted
        The body, its messageId, its ordering key and warnings.

    Raises
    ------
    ValidationError
        Located at ``messages.<index>...``, never with the value.
    PayloadTooLargeError
        When the message is over 32 KB.
    """
    return intake(item, index=index)


def _located(exc: pydantic.ValidationError, index: int) -> ValidationError:
    return ValidationError.from_pydantic(
        exc, summary=f"invalid message {index}", loc_prefix=(BULK_INPUT_LOCATION, index)
    )


def _not_a_message(item: object, index: int) -> ValidationError:
    return ValidationError(
        f"invalid message {index}",
        [
            ErrorDetail(
                loc=(BULK_INPUT_LOCATION, index),
                msg=f"expected a message model or a mapping, got {type(item).__name__}",
                type="message_type",
            )
        ],
    )


def send_messages(
    post: Callable[[str, bytes], Response],
    messages: Iterable[object],
    *,
    convert: Callable[[object, int], Accepted] = intake,
    workers: int | None = None,
    progress: bool | Progress = False,
    dead_letters: DeadLettersOption = None,
    on_ack: Callable[[Sequence[str]], None] | None = None,
    max_in_flight: int | None = None,
    warnings: str | None = None,
) -> BatchReport:
    """Validate, serialize, pack and send messages through ``/batch``.

    See :meth:`cio.services.batch.BatchService.send` for the parameters.

    Returns
    -------
    BatchReport

    Raises
    ------
    AuthenticationError, NotFoundError, ClientClosedError
        When the API refuses the key or the path: delivery stops at once, the messages
        already read are in the dead-letter store, the rest of the input is not read.
    """
    store, owned = open_dead_letters(dead_letters)
    bar = _progress_bar(progress, messages)
    started = time.perf_counter()
    engine = DeliveryEngine(
        post,
        dead_letters=store,
        workers=workers,
        max_in_flight=max_in_flight,
        on_ack=on_ack,
        progress=bar,
        abort_on_fatal=True,
    )
    put = engine.put
    given_ids: dict[str, int] = {}
    reused: list[tuple[int, int]] = []
    advice = Advice(warnings)
    try:
        for index, item in enumerate(messages):
            try:
                body, message_id, key, found = convert(item, index)
                if found:
                    advice.add(index, found)
            except ValidationError as exc:
                engine.reject(index, None, exc)
                continue
            except PayloadTooLargeError as exc:
                engine.reject(index, exc.message_id, exc)
                continue
            if _has_given_id(item):
                first = given_ids.get(message_id)
                if first is not None:
                    reused.append((first, index))
                elif len(given_ids) < MAX_TRACKED_GIVEN_IDS:
                    given_ids[message_id] = index
            put(body, key, message_id, index)
        _finish(engine, bar, store, owned)
    except KeyboardInterrupt as exc:
        # No new request; what was read is acknowledged or recorded; say which.
        in_flight = engine.interrupt(exc, INTERRUPT_GRACE_SECONDS)
        _finish_now(bar, store, owned)
        report = engine.report(time.perf_counter() - started)
        logger.warning("batch.send interrupted: %s", report)
        raise DeliveryInterrupted(report, engine.next_index, in_flight) from None
    except BaseException as exc:
        engine.abort(exc)
        _finish(engine, bar, store, owned)
        raise
    if reused:
        _warn_reused_ids(reused)
    report = engine.report(time.perf_counter() - started)
    report = advice.applied_to(report)
    stopped = engine.stopped_by
    if isinstance(stopped, CustomerIOError):
        raise stopped
    if not report.ok:
        logger.warning("%s", report)
    return report


def _has_given_id(item: object) -> bool:
    """Whether the caller chose the item's messageId (generated ones never collide)."""
    if type(item) is dict:
        return "messageId" in item or "message_id" in item
    if isinstance(item, Message):  # before the slower Mapping check: models are common
        return "message_id" in item.__pydantic_fields_set__
    if type(item) is EncodedMessage:  # imports of typed sources hand these over
        return True
    return isinstance(item, Mapping) and ("messageId" in item or "message_id" in item)


def _warn_reused_ids(reused: list[tuple[int, int]]) -> None:
    pairs = ", ".join(f"messages {first} and {later}" for first, later in reused[:_SHOWN_REUSED])
    more = f" and {len(reused) - _SHOWN_REUSED} more" if len(reused) > _SHOWN_REUSED else ""
    logger.warning(
        "%d message(s) reuse the messageId of an earlier message in the same batch.send "
        "(%s%s); the API keeps only one message per messageId, so the others are dropped. "
        "Give each message its own messageId",
        len(reused),
        pairs,
        more,
    )


class Advice:
    """The warnings of a bulk send, located at ``messages.<index>``; errors by policy.

    Parameters
    ----------
    option : {"warn", "error"} or None
        The policy; ``None`` reads ``CIO_WARNINGS``.
    """

    def __init__(self, option: str | None) -> None:
        self.option = option
        self.kept: list[ErrorDetail] = []
        self.count = 0

    def applied_to(self, report: BatchReport) -> BatchReport:
        """``report`` with these warnings (unchanged when there are none).

        Parameters
        ----------
        report : BatchReport

        Returns
        -------
        BatchReport
        """
        if not self.count:
            return report
        return dataclasses.replace(report, warnings=tuple(self.kept), warning_count=self.count)

    def add(self, index: int, found: tuple[ErrorDetail, ...]) -> None:
        """Record one message's warnings, located at its index.

        Parameters
        ----------
        index : int
            Its position in the input.
        found : tuple of ErrorDetail
            Its warnings.

        Raises
        ------
        ValidationError
            When the policy is ``error``.
        """
        located = tuple(
            dataclasses.replace(detail, loc=(BULK_INPUT_LOCATION, index, *detail.loc))
            for detail in found
        )
        # Raises ValidationError (the message is rejected) when warnings are errors.
        enforce_policy(located, self.option, f"invalid message {index}")
        self.count += len(located)
        room = MAX_REPORT_FAILURES - len(self.kept)
        if room > 0:
            self.kept.extend(located[:room])


def _finish(engine: DeliveryEngine, bar: Any, store: DeadLetterStore, owned: bool) -> None:
    try:
        engine.close()
    finally:
        _finish_now(bar, store, owned)


def _finish_now(bar: Any, store: DeadLetterStore, owned: bool) -> None:
    if bar is not None and hasattr(bar, "close"):
        bar.close()
    if owned and not isinstance(store, MemoryDeadLetterStore):
        store.close()


def _progress_bar(progress: bool | Progress, messages: Iterable[object]) -> Progress | None:
    if progress is False or progress is None:
        return None
    if progress is not True:
        return progress
    # Imported only when a bar is wanted; tqdm.auto renders as a widget in notebooks.
    tqdm = importlib.import_module("tqdm.auto").tqdm
    total = operator.length_hint(messages) or None
    bar: Progress = tqdm(total=total, unit="event", unit_scale=True, desc="cio batch")
    return bar

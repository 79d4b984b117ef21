"""Looking semantic events up by name, and building them.

:data:`SEMANTIC_EVENTS` maps every exact event name to its model class and
:data:`SEMANTIC_FAMILIES` groups the names by family; both are read-only views that
follow :func:`cio.models.register_semantic_event`.
"""

from __future__ import annotations

import difflib
from typing import Any

from cio.errors import ErrorDetail, ValidationError
from cio.models._constants import SEMANTIC_NAME_SUGGESTIONS
from cio.models.calls import SEMANTIC_EVENTS, SEMANTIC_FAMILIES, Track

__all__ = ["SEMANTIC_EVENTS", "SEMANTIC_FAMILIES", "semantic_event", "semantic_event_class"]


def semantic_event_class(name: str) -> type[Track]:
    """The model class of a semantic event name.

    Parameters
    ----------
    name : str
        The exact event name, for example ``"Order Completed"``.

    Returns
    -------
    type
        A :class:`cio.models.Track` subclass.

    Raises
    ------
    cio.ValidationError
        When no semantic event has that name; the message lists close matches.

    Example
    -------
    >>> semantic_event_class("Order Completed").__name__
    'OrderCompleted'
    """
    cls = SEMANTIC_EVENTS.get(name)
    if cls is not None:
        return cls
    close = difflib.get_close_matches(name, list(SEMANTIC_EVENTS), n=SEMANTIC_NAME_SUGGESTIONS)
    hint = f"; close matches: {', '.join(repr(match) for match in close)}" if close else ""
    message = f"not a semantic event name{hint} (see cio.models.SEMANTIC_EVENTS)"
    raise ValidationError(
        f"event: {message}",
        [ErrorDetail(loc=("event",), msg=message, type="unknown_semantic_event")],
    )


def semantic_event(name: str, /, **fields: Any) -> Track:
    """Build the semantic event model called ``name``.

    Parameters
    ----------
    name : str
        The exact event name, for example ``"Order Completed"``.
    **fields
        The model's fields: ``user_id``, ``anonymous_id``, ``properties``,
        ``timestamp``, ``context``, ...

    Returns
    -------
    Track
        An instance of the event's model class.

    Raises
    ------
    cio.ValidationError
        When no semantic event has that name (close matches are suggested).
    pydantic.ValidationError
        When the fields do not fit the event's model.

    Example
    -------
    >>> message = semantic_event("Order Completed", user_id="42", properties={"total": 9.5})
    >>> type(message).__name__, message.to_payload()["properties"]
    ('OrderCompleted', {'total': 9.5})
    """
    return semantic_event_class(name)(**fields)

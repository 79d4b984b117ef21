"""The A/B test semantic event: ``Experiment Viewed``.

The document's schema names the variant fields ``variation_id`` and ``variation_name``
(its prose example says ``variant_id``); the schema wins (see ``docs/openapi-quirks.md``).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from typing_extensions import TypedDict

from cio._constants import SEMANTIC_FAMILY_AB_TEST
from cio.models.calls import Track, register_semantic_event
from cio.models.semantic import _advisor  # noqa: F401 - registers the properties warnings
from cio.models.semantic._base import RECOMMENDED, add_help

__all__ = ["ExperimentViewed", "ExperimentViewedProperties"]


class ExperimentViewedProperties(TypedDict, total=False):
    """The experiment and the variation a person saw."""

    experiment_id: str
    """The A/B test's id."""
    experiment_name: str
    """The A/B test's readable name."""
    variation_id: str
    """The id of the variation shown."""
    variation_name: str
    """The readable name of the variation shown."""


@register_semantic_event
class ExperimentViewed(Track):
    """A person saw a variation of an A/B test.

    Example
    -------
    >>> ExperimentViewed(
    ...     user_id="42", properties={"experiment_id": "e-1", "variation_id": "b"}
    ... ).to_payload()["properties"]
    {'experiment_id': 'e-1', 'variation_id': 'b'}
    """

    family: ClassVar[str | None] = SEMANTIC_FAMILY_AB_TEST
    event: Literal["Experiment Viewed"] = "Experiment Viewed"
    """Always ``Experiment Viewed``."""
    properties: Annotated[ExperimentViewedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The experiment and variation."""


add_help(globals())

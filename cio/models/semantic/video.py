"""Video semantic events: playback, content, ads and quality.

The document's table spells one name ``Video Playback interrupted``; the model sends
``Video Playback Interrupted`` (the schema's title, matching its siblings) and accepts
the table's spelling too, sending it back unchanged. ``Video Quality Updated`` has a
schema but no row in the table; it is modelled as well. Quality fields
``startupTime`` and ``droppedFrames`` are camelCase on the wire, as documented.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from annotated_types import Interval
from pydantic import AwareDatetime
from typing_extensions import TypedDict

from cio._constants import SEMANTIC_FAMILY_VIDEO
from cio.models.calls import Track, register_semantic_event
from cio.models.semantic import _advisor  # noqa: F401 - registers the properties warnings
from cio.models.semantic._base import RECOMMENDED, add_help

__all__ = [
    "VideoAdCompleted",
    "VideoAdCompletedProperties",
    "VideoAdPlaying",
    "VideoAdPlayingProperties",
    "VideoAdProperties",
    "VideoAdStarted",
    "VideoAdStartedProperties",
    "VideoContentCompleted",
    "VideoContentCompletedProperties",
    "VideoContentPlaying",
    "VideoContentPlayingProperties",
    "VideoContentProperties",
    "VideoContentStarted",
    "VideoContentStartedProperties",
    "VideoInterruptedProperties",
    "VideoPlaybackBufferCompleted",
    "VideoPlaybackBufferCompletedProperties",
    "VideoPlaybackBufferStarted",
    "VideoPlaybackBufferStartedProperties",
    "VideoPlaybackCompleted",
    "VideoPlaybackCompletedProperties",
    "VideoPlaybackExited",
    "VideoPlaybackExitedProperties",
    "VideoPlaybackInterrupted",
    "VideoPlaybackInterruptedProperties",
    "VideoPlaybackPaused",
    "VideoPlaybackPausedProperties",
    "VideoPlaybackProperties",
    "VideoPlaybackResumed",
    "VideoPlaybackResumedProperties",
    "VideoPlaybackSeekCompleted",
    "VideoPlaybackSeekCompletedProperties",
    "VideoPlaybackSeekStarted",
    "VideoPlaybackSeekStartedProperties",
    "VideoPlaybackStarted",
    "VideoPlaybackStartedProperties",
    "VideoQualityProperties",
    "VideoQualityUpdated",
    "VideoQualityUpdatedProperties",
]

AdType = Literal["pre-roll", "mid-roll", "post-roll"]
"""Where an ad plays relative to the content."""


Volume = Annotated[int, Interval(ge=0, le=100)]
"""Player volume from 0 to 100."""


class _Playback(TypedDict, total=False):
    session_id: str
    """Id tying together every event of one playback."""
    ad_asset_id: str
    """The ad asset playing or about to play."""
    ad_pod_id: str
    """The ad pod playing or about to play."""
    ad_type: AdType
    """The kind of ad playing: pre-roll, mid-roll or post-roll."""
    position: int
    """Playhead position in seconds, ads included."""
    total_length: int
    """Total playback length in seconds, ads included."""
    bitrate: int
    """Current bitrate in kbps."""
    framerate: int
    """Average frames per second."""
    video_player: str
    """The player's name, for example ``youtube``."""
    sound: Volume
    """Volume from 0 to 100."""
    full_screen: bool
    """Whether playback is full screen."""
    ad_enabled: bool
    """Whether the viewer can see ads (false with an ad blocker)."""
    quality: str
    """Playback quality, for example ``480p``."""
    livestream: bool
    """Whether the playback is a livestream."""


class VideoPlaybackStartedProperties(_Playback, total=False):
    """A playback session starting, with the playlist of content and pods."""

    content_asset_ids: list[str]
    """The content ids in the session (a playlist)."""
    content_pod_ids: list[str]
    """The content pod ids in the session."""


class VideoPlaybackProperties(_Playback, total=False):
    """A playback session and the content being played."""

    content_asset_id: str
    """The content id."""
    content_pod_id: str
    """The content pod id."""


class VideoInterruptedProperties(VideoPlaybackProperties, total=False):
    """A playback interrupted, and how."""

    method: str
    """How playback was interrupted (error, network loss, buffering, ...)."""


class VideoContentProperties(TypedDict, total=False):
    """A piece of content within a playback session."""

    session_id: str
    """Id tying together every event of one playback."""
    asset_id: str
    """The content id."""
    pod_id: str
    """The content pod id."""
    program: str
    """The show or programme."""
    title: str
    """The content's title."""
    description: str
    """The content's description."""
    season: str
    """The season."""
    position: int
    """Playhead position in seconds within the content."""
    total_length: int
    """Content length in seconds."""
    genre: str
    """The genre."""
    publisher: str
    """The publisher."""
    channel: str
    """The channel the content airs on."""
    full_episode: bool
    """Whether it is a full episode."""
    livestream: bool
    """Whether it is a livestream."""
    airdate: AwareDatetime
    """When the content first aired (timezone-aware)."""
    bitrate: int
    """Current bitrate in kbps."""
    framerate: int
    """Average frames per second."""
    keywords: list[str]
    """Keywords describing the content."""


class VideoAdProperties(TypedDict, total=False):
    """An ad within a playback session."""

    session_id: str
    """Id tying together every event of one playback."""
    asset_id: str
    """The ad's id."""
    pod_id: str
    """The ad pod's id."""
    pod_position: int
    """The ad's position within its pod."""
    pod_length: int
    """How many ads the pod holds."""
    type: AdType
    """The kind of ad: pre-roll, mid-roll or post-roll."""
    title: str
    """The ad's title."""
    position: int
    """Playhead position in seconds within the ad."""
    total_length: int
    """Ad length in seconds."""
    publisher: str
    """The ad's publisher."""
    load_type: Literal["dynamic", "linear"]
    """``dynamic`` for dynamically inserted ads, ``linear`` when all viewers see the same."""
    content: dict[str, Any]
    """Content metadata some destinations want with ad events."""
    quartile: int
    """The quartile of the ad the viewer reached."""


class VideoQualityProperties(TypedDict, total=False):
    """Playback quality figures."""

    bitrate: int
    """Current bitrate in kbps."""
    framerate: int
    """Average frames per second."""
    startupTime: int
    """Time the video took to start (camelCase ``startupTime`` on the wire)."""
    droppedFrames: int
    """Frames dropped during playback (camelCase ``droppedFrames`` on the wire)."""


class _Video(Track):
    family: ClassVar[str | None] = SEMANTIC_FAMILY_VIDEO


class _PlaybackEvent(_Video):
    properties: Annotated[VideoPlaybackProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The playback."""


class _ContentEvent(_Video):
    properties: Annotated[VideoContentProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The content."""


class _AdEvent(_Video):
    properties: Annotated[VideoAdProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The ad."""


@register_semantic_event
class VideoPlaybackStarted(_Video):
    """A person pressed play and playback began.

    Example
    -------
    >>> VideoPlaybackStarted(
    ...     user_id="42", properties={"session_id": "s-1", "sound": 80}
    ... ).to_payload()["properties"]
    {'session_id': 's-1', 'sound': 80}
    """

    event: Literal["Video Playback Started"] = "Video Playback Started"
    """Always ``Video Playback Started``."""
    properties: Annotated[VideoPlaybackStartedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The playback and its playlist."""


class VideoPlaybackPausedProperties(VideoPlaybackProperties, total=False):
    """Recommended properties of ``Video Playback Paused``."""


@register_semantic_event
class VideoPlaybackPaused(_PlaybackEvent):
    """A person paused playback."""

    event: Literal["Video Playback Paused"] = "Video Playback Paused"
    """Always ``Video Playback Paused``."""
    properties: Annotated[VideoPlaybackPausedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoPlaybackPausedProperties``)."""


class VideoPlaybackInterruptedProperties(VideoInterruptedProperties, total=False):
    """Recommended properties of ``Video Playback Interrupted``."""


@register_semantic_event
class VideoPlaybackInterrupted(_Video):
    """Playback was interrupted (error, network loss, buffering)."""

    event: Literal["Video Playback Interrupted", "Video Playback interrupted"] = (
        "Video Playback Interrupted"
    )
    """``Video Playback Interrupted`` (the table's ``interrupted`` spelling is accepted)."""
    properties: Annotated[VideoPlaybackInterruptedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The playback and how it was interrupted."""


class VideoPlaybackBufferStartedProperties(VideoPlaybackProperties, total=False):
    """Recommended properties of ``Video Playback Buffer Started``."""


@register_semantic_event
class VideoPlaybackBufferStarted(_PlaybackEvent):
    """Playback started buffering."""

    event: Literal["Video Playback Buffer Started"] = "Video Playback Buffer Started"
    """Always ``Video Playback Buffer Started``."""
    properties: Annotated[VideoPlaybackBufferStartedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoPlaybackBufferStartedProperties``)."""


class VideoPlaybackBufferCompletedProperties(VideoPlaybackProperties, total=False):
    """Recommended properties of ``Video Playback Buffer Completed``."""


@register_semantic_event
class VideoPlaybackBufferCompleted(_PlaybackEvent):
    """Buffering finished."""

    event: Literal["Video Playback Buffer Completed"] = "Video Playback Buffer Completed"
    """Always ``Video Playback Buffer Completed``."""
    properties: Annotated[VideoPlaybackBufferCompletedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoPlaybackBufferCompletedProperties``)."""


class VideoPlaybackSeekStartedProperties(VideoPlaybackProperties, total=False):
    """Recommended properties of ``Video Playback Seek Started``."""


@register_semantic_event
class VideoPlaybackSeekStarted(_PlaybackEvent):
    """A person started seeking; ``position`` is where from."""

    event: Literal["Video Playback Seek Started"] = "Video Playback Seek Started"
    """Always ``Video Playback Seek Started``."""
    properties: Annotated[VideoPlaybackSeekStartedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoPlaybackSeekStartedProperties``)."""


class VideoPlaybackSeekCompletedProperties(VideoPlaybackProperties, total=False):
    """Recommended properties of ``Video Playback Seek Completed``."""


@register_semantic_event
class VideoPlaybackSeekCompleted(_PlaybackEvent):
    """A person finished seeking; ``position`` is where to."""

    event: Literal["Video Playback Seek Completed"] = "Video Playback Seek Completed"
    """Always ``Video Playback Seek Completed``."""
    properties: Annotated[VideoPlaybackSeekCompletedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoPlaybackSeekCompletedProperties``)."""


class VideoPlaybackResumedProperties(VideoPlaybackProperties, total=False):
    """Recommended properties of ``Video Playback Resumed``."""


@register_semantic_event
class VideoPlaybackResumed(_PlaybackEvent):
    """A person resumed paused playback."""

    event: Literal["Video Playback Resumed"] = "Video Playback Resumed"
    """Always ``Video Playback Resumed``."""
    properties: Annotated[VideoPlaybackResumedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoPlaybackResumedProperties``)."""


class VideoPlaybackCompletedProperties(VideoPlaybackProperties, total=False):
    """Recommended properties of ``Video Playback Completed``."""


@register_semantic_event
class VideoPlaybackCompleted(_PlaybackEvent):
    """A playback session finished."""

    event: Literal["Video Playback Completed"] = "Video Playback Completed"
    """Always ``Video Playback Completed``."""
    properties: Annotated[VideoPlaybackCompletedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoPlaybackCompletedProperties``)."""


class VideoPlaybackExitedProperties(VideoPlaybackProperties, total=False):
    """Recommended properties of ``Video Playback Exited``."""


@register_semantic_event
class VideoPlaybackExited(_PlaybackEvent):
    """A person left the playback (scrolled away, changed page, ...)."""

    event: Literal["Video Playback Exited"] = "Video Playback Exited"
    """Always ``Video Playback Exited``."""
    properties: Annotated[VideoPlaybackExitedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoPlaybackExitedProperties``)."""


class VideoContentStartedProperties(VideoContentProperties, total=False):
    """Recommended properties of ``Video Content Started``."""


@register_semantic_event
class VideoContentStarted(_ContentEvent):
    """A piece of content started within a playback."""

    event: Literal["Video Content Started"] = "Video Content Started"
    """Always ``Video Content Started``."""
    properties: Annotated[VideoContentStartedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoContentStartedProperties``)."""


class VideoContentPlayingProperties(VideoContentProperties, total=False):
    """Recommended properties of ``Video Content Playing``."""


@register_semantic_event
class VideoContentPlaying(_ContentEvent):
    """Heartbeat while content plays (``position`` shows progress)."""

    event: Literal["Video Content Playing"] = "Video Content Playing"
    """Always ``Video Content Playing``."""
    properties: Annotated[VideoContentPlayingProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoContentPlayingProperties``)."""


class VideoContentCompletedProperties(VideoContentProperties, total=False):
    """Recommended properties of ``Video Content Completed``."""


@register_semantic_event
class VideoContentCompleted(_ContentEvent):
    """A piece of content finished."""

    event: Literal["Video Content Completed"] = "Video Content Completed"
    """Always ``Video Content Completed``."""
    properties: Annotated[VideoContentCompletedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoContentCompletedProperties``)."""


class VideoAdStartedProperties(VideoAdProperties, total=False):
    """Recommended properties of ``Video Ad Started``."""


@register_semantic_event
class VideoAdStarted(_AdEvent):
    """An ad started within a playback (schema ``video_ad_started``)."""

    event: Literal["Video Ad Started"] = "Video Ad Started"
    """Always ``Video Ad Started``."""
    properties: Annotated[VideoAdStartedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoAdStartedProperties``)."""


class VideoAdPlayingProperties(VideoAdProperties, total=False):
    """Recommended properties of ``Video Ad Playing``."""


@register_semantic_event
class VideoAdPlaying(_AdEvent):
    """Heartbeat while an ad plays."""

    event: Literal["Video Ad Playing"] = "Video Ad Playing"
    """Always ``Video Ad Playing``."""
    properties: Annotated[VideoAdPlayingProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoAdPlayingProperties``)."""


class VideoAdCompletedProperties(VideoAdProperties, total=False):
    """Recommended properties of ``Video Ad Completed``."""


@register_semantic_event
class VideoAdCompleted(_AdEvent):
    """An ad finished (schema ``video_ad_completed``)."""

    event: Literal["Video Ad Completed"] = "Video Ad Completed"
    """Always ``Video Ad Completed``."""
    properties: Annotated[VideoAdCompletedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``VideoAdCompletedProperties``)."""


class VideoQualityUpdatedProperties(VideoQualityProperties, total=False):
    """Recommended properties of ``Video Quality Updated``."""


@register_semantic_event
class VideoQualityUpdated(_Video):
    """Playback quality changed (bitrate, frame rate, start-up time, dropped frames)."""

    event: Literal["Video Quality Updated"] = "Video Quality Updated"
    """Always ``Video Quality Updated``."""
    properties: Annotated[VideoQualityUpdatedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The quality figures."""


add_help(globals())

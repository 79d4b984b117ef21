"""Video semantic events: playback, content, ads and quality.

The document's table spells one name ``Video Playback interrupted``; the model sends
``Video Playback Interrupted`` (the schema's title, matching its siblings) and accepts
the table's spelling too, sending it back unchanged. ``Video Quality Updated`` has a
schema but no row in the table; it is modelled as well. Quality fields
``startupTime`` and ``droppedFrames`` are camelCase on the wire, as documented.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from cio._constants import SEMANTIC_FAMILY_VIDEO
from cio.models._core import FreeForm, Timestamp
from cio.models.calls import Track, register_semantic_event
from cio.models.semantic._base import SnakeCaseProperties

__all__ = [
    "VideoAdCompleted",
    "VideoAdPlaying",
    "VideoAdProperties",
    "VideoAdStarted",
    "VideoContentCompleted",
    "VideoContentPlaying",
    "VideoContentProperties",
    "VideoContentStarted",
    "VideoInterruptedProperties",
    "VideoPlaybackBufferCompleted",
    "VideoPlaybackBufferStarted",
    "VideoPlaybackCompleted",
    "VideoPlaybackExited",
    "VideoPlaybackInterrupted",
    "VideoPlaybackPaused",
    "VideoPlaybackProperties",
    "VideoPlaybackResumed",
    "VideoPlaybackSeekCompleted",
    "VideoPlaybackSeekStarted",
    "VideoPlaybackStarted",
    "VideoPlaybackStartedProperties",
    "VideoQualityProperties",
    "VideoQualityUpdated",
]

AdType = Literal["pre-roll", "mid-roll", "post-roll"]
"""Where an ad plays relative to the content."""

Volume = Annotated[int, Field(ge=0, le=100)]
"""Player volume from 0 to 100."""


class _Playback(SnakeCaseProperties):
    session_id: str | None = None
    """Id tying together every event of one playback."""
    ad_asset_id: str | None = None
    """The ad asset playing or about to play."""
    ad_pod_id: str | None = None
    """The ad pod playing or about to play."""
    ad_type: AdType | None = None
    """The kind of ad playing: pre-roll, mid-roll or post-roll."""
    position: int | None = None
    """Playhead position in seconds, ads included."""
    total_length: int | None = None
    """Total playback length in seconds, ads included."""
    bitrate: int | None = None
    """Current bitrate in kbps."""
    framerate: int | None = None
    """Average frames per second."""
    video_player: str | None = None
    """The player's name, for example ``youtube``."""
    sound: Volume | None = None
    """Volume from 0 to 100."""
    full_screen: bool | None = None
    """Whether playback is full screen."""
    ad_enabled: bool | None = None
    """Whether the viewer can see ads (false with an ad blocker)."""
    quality: str | None = None
    """Playback quality, for example ``480p``."""
    livestream: bool | None = None
    """Whether the playback is a livestream."""


class VideoPlaybackStartedProperties(_Playback):
    """A playback session starting, with the playlist of content and pods."""

    content_asset_ids: list[str] | None = None
    """The content ids in the session (a playlist)."""
    content_pod_ids: list[str] | None = None
    """The content pod ids in the session."""


class VideoPlaybackProperties(_Playback):
    """A playback session and the content being played."""

    content_asset_id: str | None = None
    """The content id."""
    content_pod_id: str | None = None
    """The content pod id."""


class VideoInterruptedProperties(VideoPlaybackProperties):
    """A playback interrupted, and how."""

    method: str | None = None
    """How playback was interrupted (error, network loss, buffering, ...)."""


class VideoContentProperties(SnakeCaseProperties):
    """A piece of content within a playback session."""

    session_id: str | None = None
    """Id tying together every event of one playback."""
    asset_id: str | None = None
    """The content id."""
    pod_id: str | None = None
    """The content pod id."""
    program: str | None = None
    """The show or programme."""
    title: str | None = None
    """The content's title."""
    description: str | None = None
    """The content's description."""
    season: str | None = None
    """The season."""
    position: int | None = None
    """Playhead position in seconds within the content."""
    total_length: int | None = None
    """Content length in seconds."""
    genre: str | None = None
    """The genre."""
    publisher: str | None = None
    """The publisher."""
    channel: str | None = None
    """The channel the content airs on."""
    full_episode: bool | None = None
    """Whether it is a full episode."""
    livestream: bool | None = None
    """Whether it is a livestream."""
    airdate: Timestamp | None = None
    """When the content first aired (timezone-aware)."""
    bitrate: int | None = None
    """Current bitrate in kbps."""
    framerate: int | None = None
    """Average frames per second."""
    keywords: list[str] | None = None
    """Keywords describing the content."""


class VideoAdProperties(SnakeCaseProperties):
    """An ad within a playback session."""

    session_id: str | None = None
    """Id tying together every event of one playback."""
    asset_id: str | None = None
    """The ad's id."""
    pod_id: str | None = None
    """The ad pod's id."""
    pod_position: int | None = None
    """The ad's position within its pod."""
    pod_length: int | None = None
    """How many ads the pod holds."""
    type: AdType | None = None
    """The kind of ad: pre-roll, mid-roll or post-roll."""
    title: str | None = None
    """The ad's title."""
    position: int | None = None
    """Playhead position in seconds within the ad."""
    total_length: int | None = None
    """Ad length in seconds."""
    publisher: str | None = None
    """The ad's publisher."""
    load_type: Literal["dynamic", "linear"] | None = None
    """``dynamic`` for dynamically inserted ads, ``linear`` when all viewers see the same."""
    content: FreeForm = None
    """Content metadata some destinations want with ad events."""
    quartile: int | None = None
    """The quartile of the ad the viewer reached."""


class VideoQualityProperties(SnakeCaseProperties):
    """Playback quality figures."""

    bitrate: int | None = None
    """Current bitrate in kbps."""
    framerate: int | None = None
    """Average frames per second."""
    startup_time: int | None = Field(default=None, serialization_alias="startupTime")
    """Time the video took to start (camelCase ``startupTime`` on the wire)."""
    dropped_frames: int | None = Field(default=None, serialization_alias="droppedFrames")
    """Frames dropped during playback (camelCase ``droppedFrames`` on the wire)."""


class _Video(Track):
    family: ClassVar[str | None] = SEMANTIC_FAMILY_VIDEO


class _PlaybackEvent(_Video):
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: VideoPlaybackProperties | None = None  # type: ignore[assignment]
    """The playback."""


class _ContentEvent(_Video):
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: VideoContentProperties | None = None  # type: ignore[assignment]
    """The content."""


class _AdEvent(_Video):
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: VideoAdProperties | None = None  # type: ignore[assignment]
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
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: VideoPlaybackStartedProperties | None = None  # type: ignore[assignment]
    """The playback and its playlist."""


@register_semantic_event
class VideoPlaybackPaused(_PlaybackEvent):
    """A person paused playback."""

    event: Literal["Video Playback Paused"] = "Video Playback Paused"
    """Always ``Video Playback Paused``."""


@register_semantic_event
class VideoPlaybackInterrupted(_Video):
    """Playback was interrupted (error, network loss, buffering)."""

    event: Literal["Video Playback Interrupted", "Video Playback interrupted"] = (
        "Video Playback Interrupted"
    )
    """``Video Playback Interrupted`` (the table's ``interrupted`` spelling is accepted)."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: VideoInterruptedProperties | None = None  # type: ignore[assignment]
    """The playback and how it was interrupted."""


@register_semantic_event
class VideoPlaybackBufferStarted(_PlaybackEvent):
    """Playback started buffering."""

    event: Literal["Video Playback Buffer Started"] = "Video Playback Buffer Started"
    """Always ``Video Playback Buffer Started``."""


@register_semantic_event
class VideoPlaybackBufferCompleted(_PlaybackEvent):
    """Buffering finished."""

    event: Literal["Video Playback Buffer Completed"] = "Video Playback Buffer Completed"
    """Always ``Video Playback Buffer Completed``."""


@register_semantic_event
class VideoPlaybackSeekStarted(_PlaybackEvent):
    """A person started seeking; ``position`` is where from."""

    event: Literal["Video Playback Seek Started"] = "Video Playback Seek Started"
    """Always ``Video Playback Seek Started``."""


@register_semantic_event
class VideoPlaybackSeekCompleted(_PlaybackEvent):
    """A person finished seeking; ``position`` is where to."""

    event: Literal["Video Playback Seek Completed"] = "Video Playback Seek Completed"
    """Always ``Video Playback Seek Completed``."""


@register_semantic_event
class VideoPlaybackResumed(_PlaybackEvent):
    """A person resumed paused playback."""

    event: Literal["Video Playback Resumed"] = "Video Playback Resumed"
    """Always ``Video Playback Resumed``."""


@register_semantic_event
class VideoPlaybackCompleted(_PlaybackEvent):
    """A playback session finished."""

    event: Literal["Video Playback Completed"] = "Video Playback Completed"
    """Always ``Video Playback Completed``."""


@register_semantic_event
class VideoPlaybackExited(_PlaybackEvent):
    """A person left the playback (scrolled away, changed page, ...)."""

    event: Literal["Video Playback Exited"] = "Video Playback Exited"
    """Always ``Video Playback Exited``."""


@register_semantic_event
class VideoContentStarted(_ContentEvent):
    """A piece of content started within a playback."""

    event: Literal["Video Content Started"] = "Video Content Started"
    """Always ``Video Content Started``."""


@register_semantic_event
class VideoContentPlaying(_ContentEvent):
    """Heartbeat while content plays (``position`` shows progress)."""

    event: Literal["Video Content Playing"] = "Video Content Playing"
    """Always ``Video Content Playing``."""


@register_semantic_event
class VideoContentCompleted(_ContentEvent):
    """A piece of content finished."""

    event: Literal["Video Content Completed"] = "Video Content Completed"
    """Always ``Video Content Completed``."""


@register_semantic_event
class VideoAdStarted(_AdEvent):
    """An ad started within a playback (schema ``video_ad_started``)."""

    event: Literal["Video Ad Started"] = "Video Ad Started"
    """Always ``Video Ad Started``."""


@register_semantic_event
class VideoAdPlaying(_AdEvent):
    """Heartbeat while an ad plays."""

    event: Literal["Video Ad Playing"] = "Video Ad Playing"
    """Always ``Video Ad Playing``."""


@register_semantic_event
class VideoAdCompleted(_AdEvent):
    """An ad finished (schema ``video_ad_completed``)."""

    event: Literal["Video Ad Completed"] = "Video Ad Completed"
    """Always ``Video Ad Completed``."""


@register_semantic_event
class VideoQualityUpdated(_Video):
    """Playback quality changed (bitrate, frame rate, start-up time, dropped frames)."""

    event: Literal["Video Quality Updated"] = "Video Quality Updated"
    """Always ``Video Quality Updated``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: VideoQualityProperties | None = None  # type: ignore[assignment]
    """The quality figures."""

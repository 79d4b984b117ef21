"""How settings become the sender a message is posted through.

One place builds the road from settings to the socket: the HTTP transport (one attempt
per call) wrapped in the retry policy and the rate limiter. :class:`cio.CustomerIOClient`
posts through it, and so does :class:`cio.io.PartitionSender` in a worker process that
was handed settings rather than a client.
"""

from __future__ import annotations

from cio._ratelimit import RateLimiter
from cio._retry import RetryingTransport, RetryPolicy
from cio._settings import Settings
from cio._transport import HTTPTransport, Transport

__all__ = ["http_transport", "settings_sender"]


def http_transport(settings: Settings) -> HTTPTransport:
    """The HTTP transport for ``settings`` (one attempt per call).

    Parameters
    ----------
    settings : Settings
        Where and how to send.

    Returns
    -------
    HTTPTransport
    """
    return HTTPTransport(
        settings.resolved_base_url,
        authorization=settings.authorization,
        timeout=settings.timeout,
        strict=settings.strict,
        log_payloads=settings.log_payloads,
    )


def settings_sender(
    settings: Settings,
    transport: Transport | None = None,
    *,
    retry_policy: RetryPolicy | None = None,
    rate_limiter: RateLimiter | None = None,
) -> Transport:
    """What a message is posted through: ``transport`` with retries and rate limiting.

    Parameters
    ----------
    settings : Settings
        Where and how to send; the retry policy and the rate limit come from it unless
        given.
    transport : Transport, optional
        Default :func:`http_transport`. A transport whose ``handles_retries`` is
        ``True`` is used as it is.
    retry_policy : RetryPolicy, optional
        Default ``RetryPolicy.from_settings(settings)``.
    rate_limiter : RateLimiter, optional
        Default one of ``settings.rate_limit`` requests per window.

    Returns
    -------
    Transport
    """
    if transport is None:
        transport = http_transport(settings)
    if getattr(transport, "handles_retries", False) is True:
        return transport
    return RetryingTransport(
        transport,
        retry_policy if retry_policy is not None else RetryPolicy.from_settings(settings),
        rate_limiter=rate_limiter if rate_limiter is not None else RateLimiter(settings.rate_limit),
    )

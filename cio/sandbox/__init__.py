"""A local Customer.io Data Pipelines server for demos, notebooks and tests.

Start it in-process (or with ``cio sandbox`` from a shell), point a client at it, and
look at what it received::

    from cio.models import Track
    from cio.sandbox import Sandbox

    with Sandbox() as sandbox, sandbox.client() as client:
        client.post("/track", Track(user_id="u1", event="Signed Up").to_json())
        print(sandbox.summary())

See ``docs/sandbox.md`` for the rules it checks and the faults it can inject.
"""

from cio.sandbox._records import DroppedMessage, FlaggedMessage, RequestRecord, SandboxSummary
from cio.sandbox._sandbox import Sandbox, SandboxError
from cio.sandbox._store import load_meta, load_summary
from cio.sandbox.faults import (
    ArmedFault,
    ConnectionReset,
    Delay,
    EnforceRateLimit,
    FailEveryNth,
    Fault,
    Injection,
    Outage,
    RateLimitWindow,
)

__all__ = [
    "ArmedFault",
    "ConnectionReset",
    "Delay",
    "DroppedMessage",
    "EnforceRateLimit",
    "FailEveryNth",
    "Fault",
    "FlaggedMessage",
    "Injection",
    "Outage",
    "RateLimitWindow",
    "RequestRecord",
    "Sandbox",
    "SandboxError",
    "SandboxSummary",
    "load_meta",
    "load_summary",
]

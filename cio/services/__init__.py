"""Services: each turns models into requests for one area of the API.

Reach them through the client (``client.people``, ``client.events``,
``client.objects``, ``client.devices``); they know API paths, not HTTP.
"""

from cio.services._base import EnvelopeOptions, SendResult
from cio.services.devices import DevicesService
from cio.services.events import EventsService
from cio.services.objects import ObjectsService
from cio.services.people import PeopleService

__all__ = [
    "DevicesService",
    "EnvelopeOptions",
    "EventsService",
    "ObjectsService",
    "PeopleService",
    "SendResult",
]

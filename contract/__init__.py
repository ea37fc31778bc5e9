"""A framework-agnostic contract suite for the ``/stream`` Server-Sent Events contract."""

from ._encoder import encode, encode_event
from ._models import Event
from ._parser import EventParser

__all__ = ["Event", "EventParser", "encode", "encode_event"]

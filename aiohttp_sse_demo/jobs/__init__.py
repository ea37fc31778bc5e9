"""Jobs: background work started once, watched live by any number of viewers (JOBS.md)."""

from .broker import Broker
from .errors import BrokerUnavailable
from .routes import add_jobs, open_broker

__all__ = ["Broker", "BrokerUnavailable", "add_jobs", "open_broker"]

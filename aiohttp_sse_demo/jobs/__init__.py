"""Jobs: background work started once, watched live by any number of viewers (JOBS.md)."""

from .broker import Broker, BrokerUnavailable, open_broker
from .routes import add_jobs

__all__ = ["Broker", "BrokerUnavailable", "add_jobs", "open_broker"]

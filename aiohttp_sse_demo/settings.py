"""The server's settings: one frozen dataclass, filled from flags and the environment."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit

ENV_PREFIX = "SSE_DEMO_"


class SettingsError(ValueError):
    """A setting has a value the server cannot run with; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    """How the demo server runs. Every field has an environment variable ``SSE_DEMO_<NAME>``."""

    host: str = "127.0.0.1"
    port: int = 8000
    interval: float = 5.0
    """Seconds of simulated work between progress events (the original's 5 s)."""
    ping_interval: float = 10.0
    """Seconds between keep-alive comments while a stream is open (the contract allows 15 s)."""
    send_timeout: float = 10.0
    """Seconds a write may wait on a client that does not read before it is dropped."""
    max_streams: int = 10_000
    """Streams served at once; further requests get 503 with Retry-After."""
    shutdown_grace: float = 1.0
    """Seconds open streams get to end by themselves at shutdown before they are cancelled."""
    reap_interval: float = 0.25
    """Seconds between checks for streams whose client went away."""
    broker: str = "memory"
    """Where jobs live: ``memory`` (this process) or a ``redis://HOST:PORT/DB`` URL."""
    lease: float = 10.0
    """Seconds within which another process fails the jobs of a runner that died (Redis)."""
    job_ttl: float = 3600.0
    """Seconds a finished job and its log are kept."""
    max_jobs: int = 100
    """Jobs this process runs at once; further ``POST /jobs`` get 503 with Retry-After."""
    max_kept: int = 10_000
    """Finished jobs kept per store (oldest finished out first), on top of ``job_ttl``."""
    admin_token: str = field(default="", repr=False)
    """The bearer token that may list every job and cancel any; empty: no one may."""

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"port must be between 0 and 65535, got {self.port}")
        for name in ("interval", "shutdown_grace"):
            _check_seconds(name, getattr(self, name), allow_zero=True)
        for name in ("ping_interval", "send_timeout", "reap_interval"):
            _check_seconds(name, getattr(self, name), allow_zero=False)
        if self.max_streams < 1:
            raise SettingsError(f"max_streams must be at least 1, got {self.max_streams}")
        if not self.host:
            raise SettingsError("host must not be empty")
        for name in ("lease", "job_ttl"):
            _check_seconds(name, getattr(self, name), allow_zero=False)
        for name in ("max_jobs", "max_kept"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.admin_token and not _printable_ascii(self.admin_token):
            raise SettingsError("admin_token must be printable ASCII with no spaces")
        if problem := broker_problem(self.broker):
            raise SettingsError(f"broker {problem}, got {self.broker!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Settings from ``SSE_DEMO_*`` variables, defaults for the rest."""
        values: dict[str, object] = {}
        for item in fields(cls):
            raw = environ.get(ENV_PREFIX + item.name.upper())
            if raw is not None:
                values[item.name] = convert(item.name, raw, item.type)
        return cls(**values)  # type: ignore[arg-type]


def convert(name: str, raw: str, kind: object) -> object:
    """Convert one textual setting to its field type, with a message naming the setting."""
    text = raw.strip()
    try:
        if kind in (int, "int"):
            return int(text)
        if kind in (float, "float"):
            return float(text)
    except ValueError:
        expected = "an integer" if kind in (int, "int") else "a number of seconds"
        raise SettingsError(f"{name} must be {expected}, got {raw!r}") from None
    return text


def broker_problem(value: str) -> str | None:
    """What is wrong with a ``broker`` setting, or None when it names a usable broker."""
    if value == "memory":
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss"):
        return "must be 'memory' or a redis://HOST:PORT/DB URL"
    try:
        _ = parts.port  # urllib checks the port when it is read
    except ValueError:
        return "has a port that is not a number from 0 to 65535"
    if not parts.hostname:
        return "needs a host: redis://HOST:PORT/DB"
    db = parts.path.lstrip("/")
    if db and not (db.isascii() and db.isdigit()):
        return "needs a database number as its path: redis://HOST:PORT/DB"
    return None


def _printable_ascii(value: str) -> bool:
    return value.isascii() and value.isprintable() and " " not in value


def _check_seconds(name: str, value: float, *, allow_zero: bool) -> None:
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "more than 0"
        raise SettingsError(f"{name} must be a finite number of seconds, {bound}, got {value}")

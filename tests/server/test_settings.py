"""Settings refuse values the server cannot run with, naming the setting."""

from __future__ import annotations

import pytest

from aiohttp_sse_demo.settings import Settings, SettingsError


def test_defaults_are_the_original_demo() -> None:
    settings = Settings()
    assert (settings.host, settings.port, settings.interval) == ("127.0.0.1", 8000, 5.0)
    # A margin below the contract's 15 s keep-alive bound (E4) for timer and network delays.
    assert settings.ping_interval == 10.0


def test_zero_interval_is_allowed() -> None:
    assert Settings(interval=0).interval == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"port": -1}, "port must be between 0 and 65535"),
        ({"interval": float("inf")}, "interval must be a finite number of seconds"),
        ({"send_timeout": 0}, "send_timeout must be a finite number of seconds, more than 0"),
        ({"max_streams": 0}, "max_streams must be at least 1"),
        ({"host": ""}, "host must not be empty"),
    ],
)
def test_bad_values_name_the_setting(fields: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings(**fields)  # type: ignore[arg-type]


def test_from_env_reads_prefixed_variables() -> None:
    env = {"SSE_DEMO_INTERVAL": " 0.25 ", "SSE_DEMO_MAX_STREAMS": "7", "OTHER": "x"}
    assert Settings.from_env(env) == Settings(interval=0.25, max_streams=7)


def test_from_env_rejects_a_bad_number() -> None:
    with pytest.raises(SettingsError, match="max_streams must be an integer, got 'many'"):
        Settings.from_env({"SSE_DEMO_MAX_STREAMS": "many"})

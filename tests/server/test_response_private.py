"""The private members of aiohttp and aiohttp-sse that ``response.py`` relies on, one by one.

A release may rename or reshape a private member without notice, and an override of a
renamed method is silently never called. pyproject.toml pins both packages to the minor
version checked here; a failure names the member and what changed, to re-check
``aiohttp_sse_demo/response.py`` against the new release before moving the pin.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

import pytest
from aiohttp.web import StreamResponse
from aiohttp_sse import EventSourceResponse
from multidict import CIMultiDict

from aiohttp_sse_demo.response import FramedEventSourceResponse

CHECKED = {"aiohttp": "3.14", "aiohttp-sse": "3.0"}
"""The minor versions whose private members the tables below were read from."""

METHODS = [
    # (owner, name, parameters): called by response.py, or overridden by it
    (EventSourceResponse, "_abort_transport", "(self)"),
    (EventSourceResponse, "_set_tcp_user_timeout", "(self, request)"),
    (EventSourceResponse, "_restore_tcp_user_timeout", "(self)"),
]
ESR_FIELDS = {
    # set by EventSourceResponse.__init__ from these arguments, read or written by response.py
    "_ping_interval": 7.0,
    "_send_timeout": 3.0,
    "_sep": "\n",
    "_allow_all_methods": True,
    "_ping_task": None,
    "_tcp_sock": None,
    "_saved_tcp_user_timeout": None,
}
STREAM_RESPONSE_CLASS_FIELDS = {
    # class defaults of StreamResponse, read or set per instance by response.py
    "_send_headers_immediately": True,
    "_payload_writer": None,
    "_req": None,
}


def _recheck(owner: type, name: str, change: str) -> str:
    package = owner.__module__.split(".")[0].replace("_", "-")
    return (
        f"{owner.__qualname__}.{name} {change} in {package} {version(package)}: "
        f"aiohttp_sse_demo/response.py relies on it; re-check it before moving the pin"
    )


@pytest.mark.parametrize("package", sorted(CHECKED))
def test_installed_versions_are_the_checked_ones(package: str) -> None:
    installed = version(package)
    assert installed.split(".")[:2] == CHECKED[package].split("."), (
        f"{package} {installed} is installed; the private members below were checked against "
        f"{CHECKED[package]}.x (pyproject.toml pins it): re-check response.py, then update CHECKED"
    )


@pytest.mark.parametrize(
    ("owner", "name", "parameters"), METHODS, ids=[name for _, name, _ in METHODS]
)
def test_private_methods_keep_their_signature(owner: type, name: str, parameters: str) -> None:
    method = owner.__dict__.get(name)
    assert callable(method), _recheck(owner, name, "is missing")
    actual = "(" + ", ".join(inspect.signature(method).parameters) + ")"
    assert actual == parameters, _recheck(owner, name, f"takes {actual}, not {parameters}")
    override = FramedEventSourceResponse.__dict__.get(name)
    if override is not None:
        mine = "(" + ", ".join(inspect.signature(override).parameters) + ")"
        assert mine == parameters, f"FramedEventSourceResponse.{name} takes {mine}"


@pytest.mark.parametrize(("name", "expected"), ESR_FIELDS.items(), ids=list(ESR_FIELDS))
def test_event_source_response_sets_its_fields(name: str, expected: object) -> None:
    resp = EventSourceResponse(sep="\n", allow_all_methods=True, send_timeout=3.0, ping_interval=7)
    assert name in vars(resp), _recheck(EventSourceResponse, name, "is no longer set by __init__")
    actual = vars(resp)[name]
    assert actual == expected, _recheck(
        EventSourceResponse, name, f"is set to {actual!r}, not {expected!r}"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    STREAM_RESPONSE_CLASS_FIELDS.items(),
    ids=list(STREAM_RESPONSE_CLASS_FIELDS),
)
def test_stream_response_class_defaults(name: str, expected: object) -> None:
    assert name in vars(StreamResponse), _recheck(StreamResponse, name, "is missing")
    actual = vars(StreamResponse)[name]
    assert actual == expected, _recheck(StreamResponse, name, f"defaults to {actual!r}")


def test_stream_response_headers_are_a_cimultidict() -> None:
    headers = vars(StreamResponse()).get("_headers")
    assert isinstance(headers, CIMultiDict), _recheck(
        StreamResponse, "_headers", f"is {type(headers).__name__}, not a CIMultiDict"
    )


def test_head_is_held_back_by_send_headers_immediately() -> None:
    # Setting the flag to False only helps while _write_headers is what reads it.
    source = inspect.getsource(StreamResponse._write_headers)
    assert "self._send_headers_immediately" in source, _recheck(
        StreamResponse, "_send_headers_immediately", "is no longer read by _write_headers"
    )


def test_aiohttp_sse_starts_its_ping_task_only_in_prepare() -> None:
    # FramedEventSourceResponse replaces prepare, so aiohttp-sse's per-stream task never runs.
    starters = [
        name
        for name, member in vars(EventSourceResponse).items()
        if inspect.isfunction(member) and "self._ping()" in inspect.getsource(member)
    ]
    assert starters == ["prepare"], _recheck(
        EventSourceResponse, "_ping", f"is started by {starters}, not only by prepare"
    )

"""A framework-agnostic contract suite for Server-Sent Events: any endpoint, by URL.

A contract (a TOML file, or the demo's ``/stream`` contract by default) says what
the endpoint must send; ``run_suite`` records the stream and its probes and judges
them rule by rule. docs/contract.md and docs/contract-files.md describe both; a
contract can also come from an OpenAPI 3.2 document (docs/openapi.md).
"""

from ._contract import (
    Contract,
    ContractError,
    End,
    ExpectedEvent,
    Ids,
    Incremental,
    Keepalive,
    Kind,
    Limits,
    OpenAPISource,
    Request,
    Response,
    Resume,
    Sequence,
)
from ._encoder import encode, encode_event
from ._framing import Framing
from ._loader import default_contract, find_contract, load_contract, parse_contract, shipped_names
from ._models import (
    EXTENSIONS,
    Ending,
    Event,
    Options,
    Probe,
    Recording,
    Recordings,
    Report,
    RuleResult,
    TimedEvent,
    Verdict,
    Violation,
)
from ._openapi import OpenAPIFlags, contract_from_openapi, load_document
from ._parser import EventParser
from ._pattern import Pattern, PatternError
from ._report import format_json, format_text, to_json
from ._rules import CORE_RULES, evaluate
from ._suite import run_suite

__all__ = [
    "CORE_RULES",
    "EXTENSIONS",
    "Contract",
    "ContractError",
    "End",
    "Ending",
    "Event",
    "EventParser",
    "ExpectedEvent",
    "Framing",
    "Ids",
    "Incremental",
    "Keepalive",
    "Kind",
    "Limits",
    "OpenAPIFlags",
    "OpenAPISource",
    "Options",
    "Pattern",
    "PatternError",
    "Probe",
    "Recording",
    "Recordings",
    "Report",
    "Request",
    "Response",
    "Resume",
    "RuleResult",
    "Sequence",
    "TimedEvent",
    "Verdict",
    "Violation",
    "contract_from_openapi",
    "default_contract",
    "encode",
    "encode_event",
    "evaluate",
    "find_contract",
    "format_json",
    "format_text",
    "load_contract",
    "load_document",
    "parse_contract",
    "run_suite",
    "shipped_names",
    "to_json",
]

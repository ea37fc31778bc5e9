"""A framework-agnostic contract suite for Server-Sent Events: any endpoint, by URL.

A contract (a TOML file, or the demo's ``/stream`` contract by default) says what
the endpoint must send; ``run_suite`` records the stream and its probes and judges
them rule by rule. docs/contract.md and docs/contract-files.md describe both; a
contract can also come from an OpenAPI 3.2 document (docs/openapi.md). How the
package is laid out, and which way its imports point: docs/architecture.md.
"""

from .classify import Classified, Classifier
from .match.pattern import Pattern, PatternError
from .pipeline import Pass, run_pass
from .report.json import format_json, to_json
from .report.model import Report
from .report.text import format_text
from .rules import CORE_RULES, EXTENSIONS, evaluate
from .rules.result import RuleResult, Verdict, Violation
from .run.options import Options
from .run.recording import Ending, Probe, Recording, Recordings, TimedEvent
from .spec.errors import ContractError
from .spec.loader import load_contract, parse_contract
from .spec.model import (
    Contract,
    End,
    EventSequence,
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
)
from .spec.openapi.document import load_document
from .spec.openapi.flags import OpenAPIFlags
from .spec.openapi.merge import contract_from_openapi
from .spec.shipped import default_contract, find_contract, shipped_names
from .suite import run_suite
from .wire.encoder import encode, encode_event
from .wire.event import Event
from .wire.framing import Framing
from .wire.parser import EventParser

Sequence = EventSequence
"""The ``[sequence]`` table's old name (it shadowed ``collections.abc.Sequence``)."""

__all__ = [
    "CORE_RULES",
    "EXTENSIONS",
    "Classified",
    "Classifier",
    "Contract",
    "ContractError",
    "End",
    "Ending",
    "Event",
    "EventParser",
    "EventSequence",
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
    "Pass",
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
    "run_pass",
    "run_suite",
    "shipped_names",
    "to_json",
]

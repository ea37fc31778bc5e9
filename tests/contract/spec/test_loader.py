"""Contract files: every key is validated, and every error names the file, the key and the fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from contract import (
    Contract,
    ContractError,
    End,
    ExpectedEvent,
    Ids,
    Incremental,
    Keepalive,
    Kind,
    Limits,
    Request,
    Response,
    Resume,
    Sequence,
    find_contract,
    load_contract,
    parse_contract,
)
from contract.cli import main
from tests.paths import CONTRACTS

KINDS = '[sequence]\npattern = "a"\n'
"""The least a kinds-mode contract needs."""


def error(text: str, source: str = "c.toml") -> str:
    """The message of the ContractError that loading ``text`` raises."""
    with pytest.raises(ContractError) as raised:
        parse_contract(text, source)
    return str(raised.value)


def test_a_full_kinds_contract_loads_into_its_tables() -> None:
    contract = load_contract(CONTRACTS / "tokens.toml")
    assert contract.name == "tokens"
    assert contract.source == str(CONTRACTS / "tokens.toml")
    assert contract.request == Request(
        "POST",
        "/v1/tokens",
        (("Authorization", "Bearer ${TEETH_TOKEN}"), ("X-Client", "teeth")),
        b'{"prompt": "count", "stream": true}',
        "application/json",
    )
    assert contract.response == Response(200, "text/event-stream", (("Cache-Control", "no-cache"),))
    assert contract.limits == Limits(seconds=5, idle_seconds=2)
    assert not contract.exact
    assert [(k.name, k.type, k.implicit) for k in contract.kinds] == [
        ("start", "start", False),
        ("token", "message", False),
        ("done", "done", False),
        ("ping", "ping", False),
    ]
    assert contract.kind("token") == Kind("token", data_match="[a-z]+")
    start = contract.kind("start")
    assert start is not None
    assert start.schema is not None
    assert start.schema["required"] == ["model", "n"]
    assert contract.sequence == Sequence("start token{2,} done", ("ping",))
    assert contract.end == End(after="done", grace=0.3)
    assert contract.incremental == Incremental(3)
    assert contract.ids == Ids("sequential", 0)
    assert contract.resume == Resume(query="last_event_id", tolerate=("", "abc", "-1"))
    assert contract.keepalive == Keepalive(0.2)


def test_an_exact_contract_and_defaults() -> None:
    contract = load_contract(CONTRACTS / "script.toml")
    assert contract.exact
    assert contract.events[2] == ExpectedEvent("step", "parse\nline two", "3", pause_before=True)
    assert contract.request == Request(url="/script")
    assert contract.resume is not None
    assert contract.resume.after_end == "empty"
    assert contract.keepalive is None
    least = parse_contract('format = 1\n[[events]]\ndata = "x"\n', "least.toml")
    assert least == Contract(name="least", source="least.toml", events=(ExpectedEvent(data="x"),))


def test_names_in_the_pattern_that_no_kind_declares_are_types() -> None:
    contract = parse_contract(
        'format = 1\n[kinds.delta]\ntype = "d"\n[sequence]\npattern = "start delta+ stop"\n'
        'anywhere = ["ping"]\n[end]\nafter = "stop"\n'
    )
    assert [(k.name, k.type, k.implicit) for k in contract.kinds] == [
        ("delta", "d", False),
        ("start", "start", True),
        ("stop", "stop", True),
        ("ping", "ping", True),
    ]
    by_type = parse_contract(
        'format = 1\n[kinds.delta]\ntype = "d"\n[sequence]\npattern = "delta"\n[end]\nafter = "d"\n'
    )
    assert by_type.end.after == "d"


def test_json_and_raw_bodies_and_environment_headers() -> None:
    raw = parse_contract(f'format = 1\n[request]\nmethod = "put"\nbody = "x=1"\n{KINDS}')
    assert (raw.request.method, raw.request.body, raw.request.content_type) == ("PUT", b"x=1", None)
    listed = parse_contract(f"format = 1\n[request]\njson = [1, 2]\n{KINDS}")
    assert listed.request.body == b"[1, 2]"
    request = load_contract(CONTRACTS / "tokens.toml").request
    assert request.resolved_headers({"TEETH_TOKEN": "t"}) == (
        ("Authorization", "Bearer t"),
        ("X-Client", "teeth"),
        ("Content-Type", "application/json"),
    )
    with pytest.raises(ContractError) as raised:
        request.resolved_headers({})
    assert str(raised.value) == (
        f"{CONTRACTS / 'tokens.toml'}: request.headers.Authorization: "
        "environment variable TEETH_TOKEN is not set"
    )


UNKNOWN_KEYS = [
    ("nmae = 'x'\n" + KINDS, "nmae", "the top level"),
    ("[request]\nmethd = 'GET'\n" + KINDS, "request.methd", "[request]"),
    ("[response]\nstatuss = 200\n" + KINDS, "response.statuss", "[response]"),
    ("[limits]\nsecs = 1\n" + KINDS, "limits.secs", "[limits]"),
    ("[[events]]\ndat = 'x'\n", "events[0].dat", "[events[0]]"),
    ("[[events]]\n[[events]]\npause = true\n", "events[1].pause", "[events[1]]"),
    ("[kinds.a]\ntyp = 'x'\n" + KINDS, "kinds.a.typ", "[kinds.a]"),
    ("[sequence]\npattern = 'a'\nanywere = ['b']\n", "sequence.anywere", "[sequence]"),
    (KINDS + "[end]\nnevr = true\n", "end.nevr", "[end]"),
    (KINDS + "[incremental]\nbursts = 2\ngapp = 1\n", "incremental.gapp", "[incremental]"),
    (KINDS + "[ids]\nschem = 'none'\n", "ids.schem", "[ids]"),
    (KINDS + "[resume]\nquerry = 'q'\n", "resume.querry", "[resume]"),
    (KINDS + "[keepalive]\nmax = 1\n", "keepalive.max", "[keepalive]"),
]


@pytest.mark.parametrize(("text", "key", "where"), UNKNOWN_KEYS)
def test_unknown_keys_are_errors_at_every_level(text: str, key: str, where: str) -> None:
    message = error("format = 1\n" + text)
    assert message.startswith(f"c.toml: {key}: unknown key in {where} (known keys: ")


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        # wrong types
        ("name = 3\n" + KINDS, "name", "expected a name on one line, got 3"),
        ("[request]\nmethod = 'GE T'\n" + KINDS, "request.method", "an HTTP method"),
        ('[request]\nurl = "a\\nb"\n' + KINDS, "request.url", "a URL or a path"),
        ("[request]\nheaders = { A = 1 }\n" + KINDS, "request.headers.A", "a string on one line"),
        ("[request]\nheaders = { 'A B' = 'x' }\n" + KINDS, "request.headers.A B", "a header name"),
        ("[request]\nheaders = { A = '${1X}' }\n" + KINDS, "request.headers.A", "${NAME}"),
        ("[request]\nbody = 3\n" + KINDS, "request.body", "expected a string, got 3"),
        ("[request]\njson = {}\nbody = ''\n" + KINDS, "request.body", "either json or body"),
        ("[response]\nmedia_type = 3\n" + KINDS, "response.media_type", "a media type"),
        ("[response]\nmedia_type = ';'\n" + KINDS, "response.media_type", "a media type"),
        ("[response]\nmedia_type = ' '\n" + KINDS, "response.media_type", "a media type"),
        ("[response]\nmedia_type = 'text'\n" + KINDS, "response.media_type", "a media type"),
        ("[response]\nmedia_type = 'a/b c'\n" + KINDS, "response.media_type", "a media type"),
        ("[request]\njson = { at = 1979-05-27T07:32:00Z }\n" + KINDS, "request.json", "at $.at:"),
        ("[request]\njson = [1, 07:32:00]\n" + KINDS, "request.json", "dates and times"),
        ("[request]\njson = { x = nan }\n" + KINDS, "request.json", "no NaN"),
        ("[request]\njson = -inf\n" + KINDS, "request.json", "at $: JSON has no NaN or infinity"),
        ("[request]\nurl = 'http://[::1'\n" + KINDS, "request.url", "a URL or a path"),
        ("[request]\nurl = 'ftp://x/s'\n" + KINDS, "request.url", "an http(s) URL"),
        ("[request]\nurl = 'http:///s'\n" + KINDS, "request.url", "an http(s) URL"),
        ("[request]\nurl = 'http://h:99999/'\n" + KINDS, "request.url", "a URL or a path"),
        ("[kinds.a]\nschema = { const = 1979-05-27 }\n" + KINDS, "kinds.a.schema", "at $.const:"),
        ("[kinds.a]\nschema = { minimum = nan }\n" + KINDS, "kinds.a.schema", "no NaN"),
        (
            "[kinds.a]\nschema = " + "{ not = " * 120 + "{}" + " }" * 120 + "\n" + KINDS,
            "kinds.a.schema",
            "nested more than 100 levels deep",
        ),
        (
            "[sequence]\npattern = '" + "(" * 400 + "a" + ")" * 400 + "'\n",
            "sequence.pattern",
            "nested",
        ),
        ("[sequence]\npattern = 'a" + "?" * 2000 + "'\n", "sequence.pattern", "nested"),
        ("[response]\nstatus = true\n" + KINDS, "response.status", "an HTTP status"),
        ("[limits]\nseconds = '5'\n" + KINDS, "limits.seconds", "seconds above 0, got '5'"),
        ("[limits]\nbytes = 1.5\n" + KINDS, "limits.bytes", "a byte count of 1 or more"),
        ("[limits]\nevents = true\n" + KINDS, "limits.events", "a count of 1 or more, got True"),
        ("events = { a = 1 }\n", "events", "an array of tables ([[events]])"),
        ("[[events]]\ndata = 3\n", "events[0].data", "expected a string, got 3"),
        ("[[events]]\ntype = ''\n", "events[0].type", "an event type on one line"),
        ('[[events]]\nid = "1\\n"\n', "events[0].id", "an id on one line, without NUL"),
        ("[[events]]\npause_before = 'yes'\n", "events[0].pause_before", "true or false"),
        ("kinds = 3\n" + KINDS, "kinds", "expected a table, got 3"),
        ("[kinds]\na = 3\n" + KINDS, "kinds.a", "a table ([kinds.NAME])"),
        ("[kinds.1a]\n" + KINDS, "kinds.1a", "a kind name"),
        ("[kinds.a]\nschema = 'x'\n" + KINDS, "kinds.a.schema", "a table (a JSON Schema)"),
        ("sequence = 'a'\n", "sequence", "expected a table"),
        ("[sequence]\npattern = 3\n", "sequence.pattern", "a pattern over kind names"),
        ("[sequence]\nanywhere = ['b']\n", "sequence.pattern", "a pattern over kind names"),
        (KINDS + "anywhere = 'b'\n", "sequence.anywhere", "a list of kind names"),
        (KINDS + "anywhere = ['2b']\n", "sequence.anywhere", "kind or type names"),
        (KINDS + "[end]\nafter = 3\n", "end.after", "a kind or event type name"),
        (KINDS + "[ids]\nscheme = 'sequental'\n", "ids.scheme", "one of sequential, increasing"),
        (KINDS + "[resume]\nfrom = []\n", "resume.from", '"all" or a non-empty list of ids'),
        (KINDS + "[resume]\ntolerate = 'x'\n", "resume.tolerate", "a list of Last-Event-ID"),
        (KINDS + '[resume]\ntolerate = ["a\\u0000"]\n', "resume.tolerate", "without NUL"),
        (KINDS + "[resume]\nquery = 'a b'\n", "resume.query", "a query parameter name"),
        (KINDS + "[resume]\nrequired = ['keepalive']\n", "resume.required", "resume, done"),
        (KINDS + "[resume]\npast_end = 1\n", "resume.past_end", "true or false"),
        (KINDS + "[keepalive]\nrequired = 'no'\n", "keepalive.required", "true or false"),
        # out of range
        ("[response]\nstatus = 700\n" + KINDS, "response.status", "from 100 to 599, got 700"),
        ("[limits]\nseconds = 0\n" + KINDS, "limits.seconds", "seconds above 0, got 0"),
        ("[limits]\nidle_seconds = inf\n" + KINDS, "limits.idle_seconds", "above 0, got inf"),
        ("[limits]\nseconds = nan\n" + KINDS, "limits.seconds", "above 0, got nan"),
        ("[limits]\nbytes = 0\n" + KINDS, "limits.bytes", "1 or more, got 0"),
        ("[limits]\nevent_bytes = -1\n" + KINDS, "limits.event_bytes", "1 or more, got -1"),
        (KINDS + "[end]\ngrace = -1\n", "end.grace", "seconds, 0 or more, got -1"),
        (KINDS + "[incremental]\nbursts = 1\n", "incremental.bursts", "2 or more, got 1"),
        (KINDS + "[incremental]\n", "incremental.bursts", "the number of bursts (2 or more)"),
        (KINDS + "[incremental]\nbursts = 2\ngap = 0\n", "incremental.gap", "above 0, got 0"),
        (KINDS + "[ids]\nscheme = 'sequential'\nstart = -1\n", "ids.start", "0 or more, got -1"),
        (KINDS + "[ids]\nscheme = 'unique'\nstart = 1\n", "ids.start", "unless scheme ="),
        (KINDS + "[resume]\nafter_end = 200\n", "resume.after_end", '204 or "empty", got 200'),
        (KINDS + "[keepalive]\nmax_silence = 0\n", "keepalive.max_silence", "above 0, got 0"),
        # format
        (KINDS, "format", "missing; expected format = 1"),
        ("format = 2\n" + KINDS, "format", "one of the supported formats: 1, got 2"),
        ("format = 1.0\n" + KINDS, "format", "one of the supported formats: 1, got 1.0"),
        ("format = true\n" + KINDS, "format", "one of the supported formats: 1, got True"),
        ("format = '1'\n" + KINDS, "format", "one of the supported formats: 1, got '1'"),
        # events and kinds
        ("[[events]]\n[sequence]\npattern = 'a'\n", "events", "cannot go with [kinds] or"),
        ("[[events]]\n[kinds.a]\n", "events", "cannot go with [kinds] or [sequence]"),
        ("events = []\n", "events", "expected at least one [[events]] entry"),
        ("[kinds.a]\ndata = 'x'\nschema = {}\n" + KINDS, "kinds.a.schema", "at most one of data"),
        ("[kinds.a]\ndata = 'x'\ndata_match = 'x'\n" + KINDS, "kinds.a.data_match", "at most"),
        ("[kinds.a]\ndata_match = '(('\n" + KINDS, "kinds.a.data_match", "a Python regular"),
        ("[kinds.a]\nschema = { type = 'objet' }\n" + KINDS, "kinds.a.schema", "valid JSON Sc"),
        ("[kinds.a]\nschema = { minimum = 'x' }\n" + KINDS, "kinds.a.schema", "['minimum']"),
        ("[kinds.a]\nschema = { pattern = '((' }\n" + KINDS, "kinds.a.schema", "is not a 'regex'"),
        ("[kinds.a]\nschema = { '$ref' = '#/$defs/b' }\n" + KINDS, "kinds.a.schema", "points to"),
        ("[kinds.a]\nschema = { '$ref' = 'https://x.test/s' }\n" + KINDS, "kinds.a.schema", "$ref"),
        # a property may be called like a keyword whose value is data: it is a schema all the same
        *(
            (
                f"[kinds.a.schema.properties.{name}]\n'$ref' = '#/$defs/b'\n" + KINDS,
                "kinds.a.schema",
                "$ref '#/$defs/b' points to nothing",
            )
            for name in ("default", "const", "enum", "examples")
        ),
        (
            "[kinds.a.schema.patternProperties.enum.items]\n'$ref' = '#/nowhere'\n" + KINDS,
            "kinds.a.schema",
            "$ref '#/nowhere' points to nothing",
        ),
        # the pattern
        ("[sequence]\npattern = ''\n", "sequence.pattern", "the pattern is empty, got ''"),
        ("[sequence]\npattern = '  '\n", "sequence.pattern", "the pattern is empty"),
        ("[sequence]\npattern = 'a ('\n", "sequence.pattern", "an empty alternative"),
        ("[sequence]\npattern = 'a | | b'\n", "sequence.pattern", "empty alternative before col"),
        ("[sequence]\npattern = 'a{2,1}'\n", "sequence.pattern", "bad repetition '{2,1}'"),
        ("[sequence]\npattern = 'a ; b'\n", "sequence.pattern", "unexpected ';' at column 3"),
        ("[sequence]\npattern = 'a b'\nanywhere = ['a']\n", "sequence.anywhere", "also in the"),
        # end
        (KINDS + "[end]\nafter = 'b'\n", "end.after", "a kind or a type the contract names"),
        (KINDS + "[end]\nafter = 'a'\nnever = true\n", "end.never", "either after or never"),
        ("[[events]]\n[end]\nnever = true\n", "end", "after and never apply to kinds"),
        (KINDS + "[end]\nnever = true\n[resume]\nrequired = ['done']\n", "resume.required", "done"),
    ],
)
def test_each_error_names_the_file_the_key_and_what_was_expected(
    text: str, key: str, expected: str
) -> None:
    message = error(text if key == "format" else "format = 1\n" + text)
    assert message.startswith(f"c.toml: {key}:"), message
    assert expected in message, message


def test_a_ref_inside_data_is_data() -> None:
    for keyword in ("default", "const", "examples"):
        text = f"format = 1\n[kinds.a.schema.properties.x.{keyword}]\n'$ref' = '#/nowhere'\n"
        if keyword == "examples":
            text = (
                f"format = 1\n[kinds.a.schema.properties.x]\n{keyword} = [{{ '$ref' = '#/n' }}]\n"
            )
        contract = parse_contract(text + KINDS, "c.toml")
        assert contract.kind("a") is not None


def test_a_contract_that_checks_nothing_is_impossible() -> None:
    neither = "no events to check: expected [[events]] (an exact list) or [kinds] and a [sequence]"
    assert error("format = 1\n") == f"c.toml: {neither} pattern"
    assert error('format = 1\nname = "x"\n[end]\ngrace = 1\n').endswith("a [sequence] pattern")
    assert error("format = 1\n[kinds.a]\n") == (
        "c.toml: no events to check: expected a [sequence] pattern over the kinds"
    )
    assert "the pattern is empty" in error('format = 1\n[sequence]\npattern = ""\n')
    assert "at least one [[events]] entry" in error("format = 1\nevents = []\n")


def test_bad_toml_names_the_line() -> None:
    assert error("format = 1\nx = " + "[" * 700 + "]" * 700 + "\n") == (
        "c.toml: not valid TOML: nested too deeply"
    )
    assert error("format = 1\n[sequence\n") == (
        "c.toml: not valid TOML: Expected ']' at the end of a table declaration "
        "(at line 2, column 10)"
    )


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b"format = 1\nname = 'caf\xe9'\n")
    with pytest.raises(ContractError, match=r"latin\.toml: not UTF-8 text$"):
        load_contract(latin)
    with pytest.raises(ContractError, match=r"missing\.toml: cannot read: No such file"):
        load_contract(tmp_path / "missing.toml")
    with pytest.raises(ContractError, match=r"no such file, and no shipped contract .*demo"):
        find_contract("nonesuch")
    assert find_contract(str(CONTRACTS / "feed.toml")).name == "feed"


# -- python -m contract validate, and the run-time environment ---------------------------


def test_validate_explains_good_files_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(CONTRACTS / "tokens.toml"), str(CONTRACTS / "feed.toml")]) == 0
    out = capsys.readouterr().out
    assert f"contract 'tokens' from {CONTRACTS / 'tokens.toml'}: valid" in out
    assert "events: kinds in the pattern 'start token{2,} done'" in out
    assert "end: never;" in out


def test_validate_reports_each_bad_file_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('format = 1\n[sequence]\npattern = "a ("\n')
    assert main(["validate", str(bad), str(CONTRACTS / "script.toml")]) == 2
    captured = capsys.readouterr()
    assert "contract 'script'" in captured.out
    assert captured.err == (
        f"python -m contract validate: error: {bad}: sequence.pattern: expected a pattern over "
        "kind names: an empty alternative before the end, got 'a ('\n"
    )


def test_validate_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("format = 2\n")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "contract", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    good = run("validate", str(CONTRACTS / "script.toml"), "demo")
    assert (good.returncode, good.stderr) == (0, "")
    assert "contract 'demo /stream' from demo (shipped): valid" in good.stdout
    failed = run("validate", str(bad))
    assert failed.returncode == 2
    assert failed.stderr.strip() == (
        f"python -m contract validate: error: {bad}: format: expected one of the supported "
        "formats: 1, got 2"
    )
    assert "Traceback" not in failed.stderr
    usage = run("validate")
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


def test_an_unset_variable_at_run_time_exits_2_before_any_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TEETH_TOKEN", raising=False)
    status = main(["http://127.0.0.1:9/", "--contract", str(CONTRACTS / "tokens.toml")])
    assert status == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"python -m contract: error: {CONTRACTS / 'tokens.toml'}: request.headers.Authorization: "
        "environment variable TEETH_TOKEN is not set\n"
    )


def test_a_bad_contract_on_the_command_line_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("format = 1\n[[events]]\nwhat = 1\n")
    assert main(["http://127.0.0.1:9/", "--contract", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"python -m contract: error: {bad}: events[0].what: unknown key")
    assert "Traceback" not in err

"""Every key of a contract file is checked: an unknown key or a bad value names the file, the key
and what was expected."""

from __future__ import annotations

import pytest

from tests.contract.spec.test_loader import KINDS, error

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

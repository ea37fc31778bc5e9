"""py-spy's raw samples land in the groups docs/benchmarks.md shows."""

from __future__ import annotations

from benchmarks.profile import jobs, server
from benchmarks.profile.pyspy import OTHER, shares, tally

WRITE = "_SelectorSocketTransport.write (asyncio/selector_events.py:1061)"
CALLBACK = "Handle._run (asyncio/events.py:84)"


def test_a_server_sample_counts_in_the_first_group_any_frame_matches() -> None:
    raw = "\n".join(
        [
            f"main;_ping (aiohttp_sse/__init__.py:120);{WRITE} 3",
            "main;EventSourceResponse.send (aiohttp_sse/__init__.py:70) 2",
            "main;select (selectors.py:468) 5",
            "not a sample line",
        ]
    )
    total, counts = tally(raw, server.GROUPS, server.classify)
    assert total == 10
    assert counts[server.GROUPS[0][0]] == 3, "send() comes before the ping group"
    assert counts["aiohttp-sse send(): framing each event"] == 2
    assert counts[OTHER] == 5
    assert shares(total, counts)[0] == f"   30.0%  {server.GROUPS[0][0]}"


def test_a_jobs_sample_counts_in_its_innermost_group_up_to_the_callback_frame() -> None:
    raw = "\n".join(
        [
            f"main;{CALLBACK};push (aiohttp_sse_demo/jobs/push.py:80);{WRITE} 4",
            f"main;{CALLBACK};push (aiohttp_sse_demo/jobs/push.py:80) 3",
            f"main;run_forever;{CALLBACK} 2",
            f"main;redis/connection.py;{CALLBACK};select (selectors.py:468) 1",
        ]
    )
    total, counts = tally(raw, jobs.GROUPS, jobs.classify)
    assert total == 10
    assert counts[jobs.GROUPS[0][0]] == 4
    assert counts[jobs.GROUPS[-1][0]] == 3
    assert counts[jobs.WAKING] == 2
    assert counts[OTHER] == 1, "frames outside the callback do not count"

"""The Lua scripts that make the Redis broker's writes atomic.

Each script runs alone on the server, so checking a job's status and writing its
log cannot interleave with another process's write. Times come from the server's
clock (``TIME``), so processes on machines whose clocks differ agree on leases.
Every key a script touches is passed in ``KEYS``.
"""

from __future__ import annotations

_PRELUDE = """
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local FINISHED = {succeeded = true, failed = true, cancelled = true}
-- Appends ARGV[first], ARGV[first + 1], ... as (type, data) pairs; positions follow 'last'.
-- The stream id of position n is 0-(n+1): the log's order is its ids' order, no clock involved.
local function append(job, log, leases, id, ttl, status, first)
  local last = tonumber(redis.call('HGET', job, 'last'))
  for i = first, #ARGV, 2 do
    last = last + 1
    redis.call('XADD', log, '0-' .. string.format('%d', last + 1),
               'type', ARGV[i], 'data', ARGV[i + 1])
  end
  redis.call('HSET', job, 'status', status, 'updated', string.format('%d', now_ms()),
             'last', string.format('%d', last))
  if FINISHED[status] then
    redis.call('ZREM', leases, id)
    redis.call('PEXPIRE', job, ttl)
    redis.call('PEXPIRE', log, ttl)
  end
end
"""

CREATE = """
-- KEYS: job hash, index zset, leases zset, creation counter
-- ARGV: id, interval, lease ms. The index is ordered by a counter: jobs made in the same
-- millisecond (by any process) still list in the order they were made.
local now = now_ms()
local stamp = string.format('%d', now)
redis.call('HSET', KEYS[1], 'status', 'queued', 'created', stamp, 'updated', stamp,
           'interval', ARGV[2], 'last', '-1')
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[1])
redis.call('ZADD', KEYS[3], string.format('%d', now + tonumber(ARGV[3])), ARGV[1])
return redis.call('HGETALL', KEYS[1])
"""

APPEND = """
-- KEYS: job hash, log stream, leases zset
-- ARGV: id, ttl ms, status, after ('' for any), then (type, data) pairs
-- Returns nil for an unknown job, else {1 when appended or 0 when refused, HGETALL of the job}.
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return nil end
local last = redis.call('HGET', KEYS[1], 'last')
if FINISHED[status] or (ARGV[4] ~= '' and ARGV[4] ~= last) then
  return {0, redis.call('HGETALL', KEYS[1])}
end
append(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], 5)
return {1, redis.call('HGETALL', KEYS[1])}
"""

CLAIM = """
-- KEYS: leases zset, job hash, log stream; ARGV: id, ttl ms, then the (type, data) pairs
-- Removing the lease is the claim: only the one call that removes it writes. Returns 1 then.
local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not deadline or tonumber(deadline) > now_ms() then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
local status = redis.call('HGET', KEYS[2], 'status')
if not status or FINISHED[status] then return 0 end
append(KEYS[2], KEYS[3], KEYS[1], ARGV[1], ARGV[2], 'failed', 3)
return 1
"""

EXPIRED = """
-- KEYS: leases zset; ARGV: how many at most. The ids whose lease has run out.
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now_ms()),
                  'LIMIT', 0, tonumber(ARGV[1]))
"""

RENEW = """
-- KEYS: leases zset; ARGV: lease ms, then ids. Only leases still held are extended.
local deadline = string.format('%d', now_ms() + tonumber(ARGV[1]))
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', deadline, ARGV[i])
end
return #ARGV - 1
"""


def script(body: str) -> str:
    """A script with the shared helpers in front."""
    return _PRELUDE + body

"""The Lua scripts that make the Redis broker's writes atomic.

Each script runs alone on the server, so checking a job's status and writing its
log cannot interleave with another process's write. Times come from the server's
clock (``TIME``), so processes on machines whose clocks differ agree on leases.
Every key of the job a script writes is passed in ``KEYS``; pruning builds the keys
of the finished jobs it drops from the prefix (one Redis, not a cluster).

Outages: every lease script beats the ``beat`` hash (``last``: the newest call;
``since``: when calls resumed after a silence longer than the caller's horizon).
Live processes call every ``lease/4``, so a silence means Redis did not answer
(paused, failing over, restarting): a claim is refused until calls have gone on
for a horizon again, time enough for every live process to renew its leases, even
when the claim itself was sent before the silence and runs just after it.
"""

from __future__ import annotations

PRUNE_BATCH = 16
"""Finished jobs one write may drop (bounded work per call; each finish adds one)."""
TIDY_BATCH = 100
"""Finished jobs one ``tidy`` may drop."""

_PRELUDE = """
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function fmt(n) return string.format('%d', n) end
local FINISHED = {succeeded = true, failed = true, cancelled = true}
-- Calls went on for `horizon` ms since the last silence longer than it (see the docstring).
local function settled(beat, horizon)
  local now = now_ms()
  local last = tonumber(redis.call('HGET', beat, 'last') or '-1')
  if last < 0 or now - last > horizon then
    redis.call('HSET', beat, 'since', fmt(now))
  end
  redis.call('HSET', beat, 'last', fmt(now))
  return now - tonumber(redis.call('HGET', beat, 'since')) >= horizon
end
-- Drops up to `batch` finished jobs, oldest first: those past their TTL, then any beyond
-- `max_kept`; each from the index too, so the index never outgrows the jobs it lists.
local function prune(finished, index, prefix, ttl, max_kept, batch)
  local now = now_ms()
  local dropped = 0
  while dropped < batch do
    local head = redis.call('ZRANGE', finished, 0, 0, 'WITHSCORES')
    if #head == 0 then break end
    if tonumber(head[2]) + ttl > now and redis.call('ZCARD', finished) <= max_kept then break end
    redis.call('ZREM', finished, head[1])
    redis.call('ZREM', index, head[1])
    redis.call('DEL', prefix .. 'job:' .. head[1], prefix .. 'log:' .. head[1])
    dropped = dropped + 1
  end
  return dropped
end
-- Appends ARGV[first], ARGV[first + 1], ... as (type, data) pairs; positions follow 'last'.
-- The stream id of position n is 0-(n+1): the log's order is its ids' order, no clock involved.
-- K: {job, log, leases, finished, index}; P: {id, ttl, max_kept, prefix}.
local function append(K, P, status, first)
  local last = tonumber(redis.call('HGET', K.job, 'last'))
  for i = first, #ARGV, 2 do
    last = last + 1
    redis.call('XADD', K.log, '0-' .. fmt(last + 1), 'type', ARGV[i], 'data', ARGV[i + 1])
  end
  local now = now_ms()
  redis.call('HSET', K.job, 'status', status, 'updated', fmt(now), 'last', fmt(last))
  if FINISHED[status] then
    redis.call('ZREM', K.leases, P.id)
    redis.call('PEXPIRE', K.job, P.ttl)
    redis.call('PEXPIRE', K.log, P.ttl)
    redis.call('ZADD', K.finished, fmt(now), P.id)
    prune(K.finished, K.index, P.prefix, tonumber(P.ttl), tonumber(P.max_kept), PRUNE_BATCH)
  end
end
""".replace("PRUNE_BATCH", str(PRUNE_BATCH))

CREATE = """
-- KEYS: job hash, index zset, leases zset, creation counter
-- ARGV: id, interval, lease ms, owner (the digest of the job's token). The index is
-- ordered by a counter: jobs made in the same millisecond (by any process) still list
-- in the order they were made.
local now = now_ms()
local stamp = fmt(now)
redis.call('HSET', KEYS[1], 'status', 'queued', 'created', stamp, 'updated', stamp,
           'interval', ARGV[2], 'last', '-1', 'owner', ARGV[4])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[1])
redis.call('ZADD', KEYS[3], fmt(now + tonumber(ARGV[3])), ARGV[1])
return redis.call('HGETALL', KEYS[1])
"""

APPEND = """
-- KEYS: job hash, log stream, leases zset, finished zset, index zset
-- ARGV: id, ttl ms, max kept, prefix, status, after ('' for any), then (type, data) pairs
-- Returns nil for an unknown job, else {1 when appended or 0 when refused, HGETALL of the job}.
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return nil end
local last = redis.call('HGET', KEYS[1], 'last')
if FINISHED[status] or (ARGV[6] ~= '' and ARGV[6] ~= last) then
  return {0, redis.call('HGETALL', KEYS[1])}
end
local K = {job = KEYS[1], log = KEYS[2], leases = KEYS[3], finished = KEYS[4], index = KEYS[5]}
append(K, {id = ARGV[1], ttl = ARGV[2], max_kept = ARGV[3], prefix = ARGV[4]}, ARGV[5], 7)
return {1, redis.call('HGETALL', KEYS[1])}
"""

CLAIM = """
-- KEYS: leases zset, job hash, log stream, finished zset, index zset, beat hash
-- ARGV: id, ttl ms, max kept, prefix, horizon ms, then the (type, data) pairs
-- Removing the lease is the claim: only the one call that removes it writes. Returns 1 then.
if not settled(KEYS[6], tonumber(ARGV[5])) then return 0 end
local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not deadline or tonumber(deadline) > now_ms() then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
local status = redis.call('HGET', KEYS[2], 'status')
if not status or FINISHED[status] then return 0 end
local K = {job = KEYS[2], log = KEYS[3], leases = KEYS[1], finished = KEYS[4], index = KEYS[5]}
append(K, {id = ARGV[1], ttl = ARGV[2], max_kept = ARGV[3], prefix = ARGV[4]}, 'failed', 6)
return 1
"""

EXPIRED = """
-- KEYS: leases zset, beat hash; ARGV: how many at most, horizon ms.
-- The ids whose lease has run out; none until calls have gone on for a horizon.
if not settled(KEYS[2], tonumber(ARGV[2])) then return {} end
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', fmt(now_ms()), 'LIMIT', 0, tonumber(ARGV[1]))
"""

RENEW = """
-- KEYS: leases zset, beat hash; ARGV: lease ms, horizon ms, then ids.
-- Only leases still held are extended. Called every lease/4 by every process, jobs or not.
settled(KEYS[2], tonumber(ARGV[2]))
local deadline = fmt(now_ms() + tonumber(ARGV[1]))
for i = 3, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', deadline, ARGV[i])
end
return #ARGV - 2
"""

PRUNE = """
-- KEYS: finished zset, index zset; ARGV: ttl ms, max kept, prefix, batch.
return prune(KEYS[1], KEYS[2], ARGV[3], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4]))
"""


def script(body: str) -> str:
    """A script with the shared helpers in front."""
    return _PRELUDE + body

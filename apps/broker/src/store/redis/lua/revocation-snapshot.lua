#!lua flags=no-writes
-- Reads one page of what a verifier needs to rebuild its revocation view, in one step: the feed's
-- last id, the generation marks, and at most `limit` ended tasks and `limit` revoked jtis after
-- each list's cursor (ZRANGE order: until, then member), so no call blocks Redis for long however
-- many entries the window holds. A list's cursor member still present resumes right after it (by
-- rank); one pruned since resumes after its score (every entry up to it expired with it). A
-- short list means its end.
-- KEYS:
--   1 dataset            dataset marker
--   2 feed               revocation feed
--   3 generation         generation
--   4 revokedAll         revoked:all
--   5 revokedPrincipals  revoked principals
--   6 revokedIssuers     revoked issuers
--   7 revokedTasks       revoked tasks
--   8 revokedTaskStatus  revoked task statuses
--   9 revokedWrits       revoked writs
-- ARGV:
--   1 epoch              expected epoch
--   2 now                now (s)
--   3 limit              entries per list
--   4 taskState          tasks: 'start', 'after' or 'done'
--   5 taskScore          tasks: the cursor's until
--   6 taskMember         tasks: the cursor's member
--   7 writState          writs: 'start', 'after' or 'done'
--   8 writScore          writs: the cursor's until
--   9 writMember         writs: the cursor's member
-- Returns { last feed id, generation, all_below, principals (flat), issuers (flat),
--           tasks (id, until, ...), their statuses, writs (jti, until, ...) }

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end

local now = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])

-- One page of a sorted set after a cursor, entries with until >= now only, as a flat WITHSCORES
-- list. Both reads start at or after `now`, so the page is never thinned by expired entries and a
-- short page means the list's end.
local function page(key, state, score, member)
  if state == 'done' then
    return {}
  end
  if state == 'after' then
    local at = redis.call('ZSCORE', key, member)
    if at ~= false and tonumber(at) >= now then
      local rank = redis.call('ZRANK', key, member)
      return redis.call('ZRANGE', key, rank + 1, rank + limit, 'WITHSCORES')
    end
    if at == false and tonumber(score) >= now then
      return redis.call('ZRANGEBYSCORE', key, '(' .. score, '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
    end
  end
  return redis.call('ZRANGEBYSCORE', key, now, '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
end

local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
local last_id = '0-0'
if #last > 0 then
  last_id = last[1][1]
end

local tasks = page(KEYS[7], ARGV[4], ARGV[5], ARGV[6])
local statuses = {}
if #tasks > 0 then
  local ids = {}
  for i = 1, #tasks, 2 do
    ids[#ids + 1] = tasks[i]
  end
  local batch = redis.call('HMGET', KEYS[8], unpack(ids))
  for j = 1, #batch do
    statuses[#statuses + 1] = batch[j] or ''
  end
end

return {
  last_id,
  redis.call('GET', KEYS[3]) or '1',
  redis.call('GET', KEYS[4]) or '0',
  redis.call('HGETALL', KEYS[5]),
  redis.call('HGETALL', KEYS[6]),
  tasks,
  statuses,
  page(KEYS[9], ARGV[7], ARGV[8], ARGV[9]),
}

#!lua flags=no-writes
-- Reads everything a verifier needs to rebuild its revocation view in one step, so the snapshot
-- is consistent with the feed at the returned last id (no revocation can land in between).
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
-- Returns { last feed id, generation, all_below, principals (flat), issuers (flat),
--           tasks (id, until, ...), their statuses, writs (jti, until, ...) }

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end

local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
local last_id = '0-0'
if #last > 0 then
  last_id = last[1][1]
end

local tasks = redis.call('ZRANGEBYSCORE', KEYS[7], ARGV[2], '+inf', 'WITHSCORES')
local statuses = {}
if #tasks > 0 then
  local ids = {}
  for i = 1, #tasks, 2 do
    ids[#ids + 1] = tasks[i]
  end
  for i = 1, #ids, 500 do
    local batch = redis.call('HMGET', KEYS[8], unpack(ids, i, math.min(i + 499, #ids)))
    for j = 1, #batch do
      statuses[#statuses + 1] = batch[j] or ''
    end
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
  redis.call('ZRANGEBYSCORE', KEYS[9], ARGV[2], '+inf', 'WITHSCORES'),
}

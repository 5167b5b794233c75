#!lua
-- Makes one revocation atomic: dataset marker check, pruning of revocations no writ can need any
-- more, the state change (task status, writ flag, or a new generation), the revocation feed entry
-- and the audit event. A revocation that changes nothing (task already ended, jti already revoked,
-- nothing known to revoke) writes no feed entry; its audit event is still appended when ARGV[7]
-- is '1', so every operator action is audited.
-- KEYS:
--   1 dataset            dataset marker
--   2 audit              audit stream
--   3 feed               revocation feed
--   4 generation         generation
--   5 revokedAll         revoked:all
--   6 revokedPrincipals  revoked principals
--   7 revokedIssuers     revoked issuers
--   8 revokedTasks       revoked tasks
--   9 revokedTaskStatus  revoked task statuses
--  10 revokedWrits       revoked writs
--  11 feedTrimmed        highest trimmed feed id
--  12 revokedPrincipalsAt  principal → revoked at (ms)
--  13 revokedIssuersAt   issuer → revoked at (ms)
--  14 revokedAllAt       all revoked at (ms)
--  15 revokedMarks       principal / issuer marks by the time they cover nothing any more
--  16 targetHash?        target hash (task, or the writ when known; only when ARGV[15] is '1')
-- ARGV:
--   1 epoch              expected epoch
--   2 now                now (s)
--   3 nowMs              now (ms)
--   4 auditMaxLen        audit max length
--   5 feedMaxLen         feed max length
--   6 event              audit event JSON
--   7 auditUnchanged     audit when unchanged ('1'|'0')
--   8 targetKind         target kind
--   9 target             target JSON
--  10 targetName         target name
--  11 endStatus          task end status
--  12 reason             reason
--  13 writUntil          writ until when the writ is not known ('' if none)
--  14 skew               skew (s)
--  15 hasTargetHash      target hash given ('1'|'0')
--  16 markUntil          principal / issuer: when the mark covers nothing any more (s; '' = never)
--  17 pruneBatch         most expired principal / issuer marks dropped per call
-- Returns { 1, feed entry id, entry JSON } or { 0 }

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end

local now = tonumber(ARGV[2])
local kind = ARGV[8]
local name = ARGV[10]
local skew = tonumber(ARGV[14])
local has_target = ARGV[15] == '1'

local expired = redis.call('ZRANGEBYSCORE', KEYS[8], '-inf', '(' .. now)
for i = 1, #expired, 500 do
  redis.call('HDEL', KEYS[9], unpack(expired, i, math.min(i + 499, #expired)))
end
redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', '(' .. now)
redis.call('ZREMRANGEBYSCORE', KEYS[10], '-inf', '(' .. now)

-- Principal and issuer marks nothing can need any more (every writ they cover has expired, every
-- identity token issued before them is too old to be accepted): a bounded batch per call.
local stale = redis.call('ZRANGEBYSCORE', KEYS[15], '-inf', '(' .. now, 'LIMIT', 0, tonumber(ARGV[17]))
for _, member in ipairs(stale) do
  local marked = string.sub(member, 3)
  if string.sub(member, 1, 2) == 'p:' then
    redis.call('HDEL', KEYS[6], marked)
    redis.call('HDEL', KEYS[12], marked)
  else
    redis.call('HDEL', KEYS[7], marked)
    redis.call('HDEL', KEYS[13], marked)
  end
  redis.call('ZREM', KEYS[15], member)
end

local function next_generation()
  local next_gen = tonumber(redis.call('GET', KEYS[4]) or '1') + 1
  redis.call('SET', KEYS[4], next_gen)
  return next_gen
end

local entry = nil
if kind == 'task' then
  if has_target then
    local fields = redis.call('HMGET', KEYS[16], 'status', 'expires_at')
    local expires_at = tonumber(fields[2])
    if fields[1] == 'live' and expires_at ~= nil and expires_at > now then
      local until_s = expires_at + skew
      redis.call('HSET', KEYS[16], 'status', ARGV[11])
      redis.call('ZADD', KEYS[8], until_s, name)
      redis.call('HSET', KEYS[9], name, ARGV[11])
      entry = { ['until'] = until_s, status = ARGV[11] }
    end
  end
elseif kind == 'writ' then
  if name ~= '' then
    local already = redis.call('ZSCORE', KEYS[10], name) ~= false
    local expires_at = nil
    if has_target then
      local fields = redis.call('HMGET', KEYS[16], 'expires_at', 'revoked')
      expires_at = tonumber(fields[1])
      already = already or fields[2] == '1'
    end
    if expires_at == nil then
      expires_at = tonumber(ARGV[13])
    end
    if not already and expires_at ~= nil then
      local until_s = expires_at + skew
      if has_target and redis.call('EXISTS', KEYS[16]) == 1 then
        redis.call('HSET', KEYS[16], 'revoked', '1')
      end
      redis.call('ZADD', KEYS[10], until_s, name)
      entry = { ['until'] = until_s }
    end
  end
elseif kind == 'principal' or kind == 'issuer' then
  local below = next_generation()
  local principal = kind == 'principal'
  redis.call('HSET', principal and KEYS[6] or KEYS[7], name, below)
  redis.call('HSET', principal and KEYS[12] or KEYS[13], name, ARGV[3])
  if ARGV[16] ~= '' then
    redis.call('ZADD', KEYS[15], ARGV[16], (principal and 'p:' or 'i:') .. name)
  else
    -- No retention given: the mark is kept for good, never pruned.
    redis.call('ZREM', KEYS[15], (principal and 'p:' or 'i:') .. name)
  end
  entry = { below_gen = below }
elseif kind == 'all' then
  local below = next_generation()
  redis.call('SET', KEYS[5], below)
  redis.call('SET', KEYS[14], ARGV[3])
  entry = { below_gen = below }
end

local result = { 0 }
if entry then
  entry.target = cjson.decode(ARGV[9])
  entry.reason = ARGV[12]
  entry.time = tonumber(ARGV[3])
  local text = cjson.encode(entry)
  -- XINFO's max-deleted-entry-id ignores trimming (Redis 7.0), so the feed records its own.
  local excess = redis.call('XLEN', KEYS[3]) + 1 - tonumber(ARGV[5])
  if excess > 0 then
    local trimmed = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', excess)
    redis.call('SET', KEYS[11], trimmed[#trimmed][1])
  end
  local id = redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[5], '*', 'r', text)
  result = { 1, id, text }
end
if entry or ARGV[7] == '1' then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'e', ARGV[6])
end
return result

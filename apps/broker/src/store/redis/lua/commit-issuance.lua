#!lua
-- Makes one issuance atomic: dataset marker check, liveness of every required ancestor, the
-- liveness of the subject writ being exchanged (its record, its jti revocation and every
-- generation revocation covering it — so a revocation racing the exchange is never dodged), the
-- task record (created or checked live), the generation check, the writ record, the jti → task
-- index, the task's jti list (field `w` of the task hash), the task indexes (all tasks, per
-- principal, parent's children), the consumed mark of a handoff being accepted (refused when
-- already set: single use) and the audit event. Every check runs before the first write, so a
-- refused call writes nothing.
-- KEYS:
--   1 dataset            dataset marker
--   2 audit              audit stream
--   3 task               task hash
--   4 writ               writ hash
--   5 writTask           jti → task id
--   6 generation         generation
--   7 tasks              tasks index
--   8 revokedWrits       revoked writs
--   9 revokedAll         revoked:all
--  10 revokedPrincipals  revoked principals
--  11 revokedIssuers     revoked issuers
--  12 ...principalTasks  P principal task indexes (P = ARGV[12])
--     parentChildren?    the parent's children set, when ARGV[13] is '1'
--     subjectWrit?       the subject writ hash, when ARGV[16] is not ''
--     handoffUsed?       the consumed-handoff mark, when ARGV[17] is not ''
--     ...requireLive     the task hashes that must be live
-- ARGV:
--   1 epoch              expected epoch
--   2 now                now (s)
--   3 createTask         create task ('1'|'0')
--   4 auditMaxLen        audit max length
--   5 retention          retention (s)
--   6 event              audit event JSON
--   7 jti                jti
--   8 writExpiresAt      writ expires_at (s)
--   9 writGen            writ gen
--  10 taskId             task id
--  11 taskCreatedAt      task created_at (s)
--  12 principalIndexCount  number of principal indexes P
--  13 hasParent          has parent ('1'|'0')
--  14 indexHorizon       index horizon (s: older entries are dead)
--  15 taskFieldCount     number of task field/value args N
--  16 subject            subject JSON {jti, gen, principals, issuers} or ''
--  17 handoffUntil       keep the consumed-handoff mark until (s), or ''
--  18 ...taskFields      the N task fields
--     ...writFields      the writ fields
--     taskKeyBefore      the task key before the id   (third from last)
--     taskKeyAfter       the task key after the id    (second from last)
--     pruneBatch         the prune batch size B       (last)
-- The tasks index and principal indexes are pruned on creation: of their oldest entries that
-- could have expired (created more than the retention ago), at most B (B/4 for a principal index)
-- are checked and dropped when their task hash is gone. Those task hashes are not in KEYS: they
-- are only tested with EXISTS, and this script already spans slots (no Redis Cluster).

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end

local now = tonumber(ARGV[2])

-- EXPIREAT, but never earlier than an expiry the key already has.
local function extend_expiry(key, at)
  local current = redis.call('EXPIRETIME', key)
  if current < 0 or current < at then
    redis.call('EXPIREAT', key, at)
  end
end

-- The same rules as shared/liveness.ts for the writ itself; its task and chain are in the required keys.
local function subject_live(subject, writ_key)
  local writ = redis.call('HMGET', writ_key, 'jti', 'revoked')
  if writ[1] == false or writ[2] == '1' or redis.call('ZSCORE', KEYS[8], subject.jti) ~= false then
    return false
  end
  local gen = tonumber(subject.gen)
  if covers(redis.call('GET', KEYS[9]), gen) then
    return false
  end
  for _, named in ipairs({ { KEYS[10], subject.principals }, { KEYS[11], subject.issuers } }) do
    if #named[2] > 0 then
      for _, value in ipairs(redis.call('HMGET', named[1], unpack(named[2]))) do
        if covers(value, gen) then
          return false
        end
      end
    end
  end
  return true
end

local prune_batch = tonumber(ARGV[#ARGV])
local task_key_after = ARGV[#ARGV - 1]
local task_key_before = ARGV[#ARGV - 2]

-- Drops up to `batch` of the oldest members of a task index whose task hash has expired.
local function prune_index(index_key, batch)
  local horizon = '(' .. (now - tonumber(ARGV[5]))
  local oldest = redis.call('ZRANGEBYSCORE', index_key, '-inf', horizon, 'LIMIT', 0, batch)
  for _, member in ipairs(oldest) do
    if redis.call('EXISTS', task_key_before .. member .. task_key_after) == 0 then
      redis.call('ZREM', index_key, member)
    end
  end
end

local principal_count = tonumber(ARGV[12])
local has_parent = ARGV[13] == '1'
local subject = ARGV[16] ~= '' and cjson.decode(ARGV[16]) or nil
local children_key = has_parent and KEYS[12 + principal_count] or nil
local subject_key_index = 12 + principal_count + (has_parent and 1 or 0)
local handoff_until = ARGV[17] ~= '' and tonumber(ARGV[17]) or nil
local handoff_key_index = subject_key_index + (subject and 1 or 0)
local first_required = handoff_key_index + (handoff_until and 1 or 0)

for i = first_required, #KEYS do
  if live_until(KEYS[i], now) == nil then
    return 'task_not_live'
  end
end

if subject and not subject_live(subject, KEYS[subject_key_index]) then
  return 'subject_not_live'
end

-- Single use: a handoff consumed by an earlier (or concurrent, serialised here) acceptance.
if handoff_until and redis.call('EXISTS', KEYS[handoff_key_index]) == 1 then
  return 'handoff_used'
end

local create = ARGV[3] == '1'
local task_fields_count = tonumber(ARGV[15])
local task_fields = {}
for i = 18, 17 + task_fields_count do
  task_fields[#task_fields + 1] = ARGV[i]
end
local writ_fields = {}
for i = 18 + task_fields_count, #ARGV - 3 do
  writ_fields[#writ_fields + 1] = ARGV[i]
end

local task_expires_at
if create then
  if redis.call('EXISTS', KEYS[3]) == 1 then
    return 'task_exists'
  end
  for i = 1, #task_fields, 2 do
    if task_fields[i] == 'expires_at' then
      task_expires_at = tonumber(task_fields[i + 1])
    end
  end
else
  task_expires_at = live_until(KEYS[3], now)
  if task_expires_at == nil then
    return 'task_not_live'
  end
end

if tonumber(redis.call('GET', KEYS[6]) or '1') ~= tonumber(ARGV[9]) then
  return 'generation_changed'
end

local keep_until = task_expires_at + tonumber(ARGV[5])
local task_id = ARGV[10]
if create then
  redis.call('HSET', KEYS[3], unpack(task_fields))
  redis.call('EXPIREAT', KEYS[3], keep_until)
  redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', '(' .. ARGV[14])
  prune_index(KEYS[7], prune_batch)
  redis.call('ZADD', KEYS[7], ARGV[11], task_id)
  for i = 12, 11 + principal_count do
    prune_index(KEYS[i], math.max(1, math.floor(prune_batch / 4)))
    redis.call('ZADD', KEYS[i], ARGV[11], task_id)
    extend_expiry(KEYS[i], keep_until)
  end
  if children_key then
    redis.call('SADD', children_key, task_id)
    extend_expiry(children_key, keep_until)
  end
end
if handoff_until then
  redis.call('SET', KEYS[handoff_key_index], '1', 'EXAT', handoff_until)
end
local writ_keep_until = tonumber(ARGV[8]) + tonumber(ARGV[5])
-- The task's jtis, space-separated, in the task hash: no set of its own for the usual one writ.
local writs = redis.call('HGET', KEYS[3], 'w')
redis.call('HSET', KEYS[3], 'w', writs and (writs .. ' ' .. ARGV[7]) or ARGV[7])
redis.call('HSET', KEYS[4], unpack(writ_fields))
redis.call('EXPIREAT', KEYS[4], writ_keep_until)
redis.call('SET', KEYS[5], task_id, 'EXAT', writ_keep_until)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'e', ARGV[6])
return 'ok'

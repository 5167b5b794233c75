#!lua
-- Makes one issuance atomic: dataset marker check, liveness of every required ancestor, the task
-- record (created or checked live), the writ record, the task's jti set and the audit event.
-- Every check runs before the first write, so a refused call writes nothing.
-- KEYS: 1 dataset marker, 2 audit stream, 3 task hash, 4 task writs set, 5 writ hash,
--       6.. task hashes that must be live
-- ARGV: 1 expected epoch, 2 now (s), 3 create task ('1'|'0'), 4 audit max length,
--       5 retention (s), 6 audit event JSON, 7 jti, 8 writ expires_at (s),
--       9 number of task field/value args N, 10..9+N task fields, then writ fields

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end

local now = tonumber(ARGV[2])

-- Returns the task's expires_at when it exists, is live and has not expired; else nil.
local function live_until(key)
  local fields = redis.call('HMGET', key, 'status', 'expires_at')
  local expires_at = tonumber(fields[2])
  if fields[1] == 'live' and expires_at ~= nil and expires_at > now then
    return expires_at
  end
  return nil
end

for i = 6, #KEYS do
  if live_until(KEYS[i]) == nil then
    return 'task_not_live'
  end
end

local create = ARGV[3] == '1'
local task_fields_count = tonumber(ARGV[9])
local task_fields = {}
for i = 10, 9 + task_fields_count do
  task_fields[#task_fields + 1] = ARGV[i]
end
local writ_fields = {}
for i = 10 + task_fields_count, #ARGV do
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
  task_expires_at = live_until(KEYS[3])
  if task_expires_at == nil then
    return 'task_not_live'
  end
end

local retention = tonumber(ARGV[5])
if create then
  redis.call('HSET', KEYS[3], unpack(task_fields))
  redis.call('EXPIREAT', KEYS[3], task_expires_at + retention)
end
redis.call('SADD', KEYS[4], ARGV[7])
redis.call('EXPIREAT', KEYS[4], task_expires_at + retention)
redis.call('HSET', KEYS[5], unpack(writ_fields))
redis.call('EXPIREAT', KEYS[5], tonumber(ARGV[8]) + retention)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'e', ARGV[6])
return 'ok'

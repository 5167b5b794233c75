#!lua
-- Makes quarantine atomic: dataset marker check, the task is live, status set to quarantined and
-- the audit event appended together; a task that is not live is left as it is and nothing is written.
-- KEYS: 1 dataset marker, 2 audit stream, 3 task hash
-- ARGV: 1 expected epoch, 2 now (s), 3 audit max length, 4 audit event JSON

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end

local fields = redis.call('HMGET', KEYS[3], 'status', 'expires_at')
local expires_at = tonumber(fields[2])
if fields[1] ~= 'live' or expires_at == nil or expires_at <= tonumber(ARGV[2]) then
  return 'not_live'
end

redis.call('HSET', KEYS[3], 'status', 'quarantined')
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[4])
return 'ok'

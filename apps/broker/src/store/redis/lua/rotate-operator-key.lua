#!lua
-- Makes an operator key rotation atomic with its audit event: only an existing, active key gets
-- a new hash. With an overlap, the hash being replaced (read here, so no concurrent rotation can
-- slip between) stays accepted until previousUntil; without, any previous hash is dropped.
-- KEYS:
--   1 dataset            dataset marker
--   2 audit              audit stream
--   3 operatorKey        operator key hash
-- ARGV:
--   1 epoch              expected epoch
--   2 auditMaxLen        audit max length
--   3 event              audit event JSON
--   4 hash               new hash
--   5 updatedAt          updated at (epoch seconds)
--   6 previousUntil      previous hash accepted until (epoch seconds; '' for no overlap)

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end
if redis.call('EXISTS', KEYS[3]) == 0 then
  return 'missing'
end
if redis.call('HGET', KEYS[3], 'status') ~= 'active' then
  return 'disabled'
end

if ARGV[6] == '' then
  redis.call('HDEL', KEYS[3], 'previous_hash', 'previous_hash_until')
else
  local current = redis.call('HGET', KEYS[3], 'hash')
  redis.call('HSET', KEYS[3], 'previous_hash', current, 'previous_hash_until', ARGV[6])
end
redis.call('HSET', KEYS[3], 'hash', ARGV[4], 'updated_at', ARGV[5])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[3])
return 'rotated'

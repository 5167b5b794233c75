#!lua
-- Makes an operator key change (disable, rotate) atomic with its audit event, and only for a key
-- that exists: a missing key is not created by a patch.
-- KEYS:
--   1 dataset            dataset marker
--   2 audit              audit stream
--   3 operatorKey        operator key hash
-- ARGV:
--   1 epoch              expected epoch
--   2 auditMaxLen        audit max length
--   3 event              audit event JSON
--   4 ...patchFields     patch fields (field, value, ...)

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end
if redis.call('EXISTS', KEYS[3]) == 0 then
  return 'missing'
end

local fields = {}
for i = 4, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('HSET', KEYS[3], unpack(fields))
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[3])
return 'ok'

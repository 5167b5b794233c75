#!lua
-- Makes operator key creation atomic: dataset marker check, the id is free (and, for the
-- bootstrap key, no key was ever bootstrapped), the record, the id set, the bootstrap marker and
-- the audit event. A refused call writes nothing.
-- KEYS:
--   1 dataset            dataset marker
--   2 audit              audit stream
--   3 operatorKey        operator key hash
--   4 operatorKeyIds     operator key ids
--   5 bootstrapMarker    bootstrap marker
-- ARGV:
--   1 epoch              expected epoch
--   2 auditMaxLen        audit max length
--   3 event              audit event JSON
--   4 bootstrap          bootstrap ('1'|'0')
--   5 keyId              key id
--   6 ...recordFields    record fields (field, value, ...)

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end

local bootstrap = ARGV[4] == '1'
if bootstrap and redis.call('EXISTS', KEYS[5]) == 1 then
  return 'exists'
end
if redis.call('EXISTS', KEYS[3]) == 1 then
  return 'exists'
end

local fields = {}
for i = 6, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
if bootstrap then
  redis.call('SET', KEYS[5], ARGV[5])
end
redis.call('HSET', KEYS[3], unpack(fields))
redis.call('SADD', KEYS[4], ARGV[5])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[3])
return 'ok'

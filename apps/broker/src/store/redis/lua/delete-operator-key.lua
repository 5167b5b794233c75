#!lua
-- Makes deleting an operator key atomic with its audit event: the record and its id in the key
-- set go together. A missing key writes nothing. The bootstrap marker stays: deleting the
-- bootstrapped key must not allow a second bootstrap.
-- KEYS:
--   1 dataset            dataset marker
--   2 audit              audit stream
--   3 operatorKey        operator key hash
--   4 operatorKeyIds     operator key ids
-- ARGV:
--   1 epoch              expected epoch
--   2 auditMaxLen        audit max length
--   3 event              audit event JSON
--   4 keyId              key id

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end
if redis.call('EXISTS', KEYS[3]) == 0 then
  return 'missing'
end

redis.call('DEL', KEYS[3])
redis.call('SREM', KEYS[4], ARGV[4])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[3])
return 'ok'

#!lua
-- Makes an audit append conditional on the dataset marker, so no event lands in a Redis that lost
-- the rest of our data.
-- KEYS:
--   1 dataset            dataset marker
--   2 audit              audit stream
-- ARGV:
--   1 epoch              expected epoch
--   2 auditMaxLen        audit max length
--   3 event              audit event JSON

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end

redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[3])
return 'ok'

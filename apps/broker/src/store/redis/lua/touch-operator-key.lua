#!lua
-- Records an operator key's last use: only on an existing key (a plain HSET would re-create a
-- deleted one as a partial record) and never backwards. No audit event: it is not a decision.
-- KEYS:
--   1 dataset            dataset marker
--   2 operatorKey        operator key hash
-- ARGV:
--   1 epoch              expected epoch
--   2 usedAt             used at (epoch seconds)

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  return 'missing'
end
local last = tonumber(redis.call('HGET', KEYS[2], 'last_used_at') or '0')
if tonumber(ARGV[2]) > last then
  redis.call('HSET', KEYS[2], 'last_used_at', ARGV[2])
end
return 'ok'

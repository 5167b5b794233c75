#!lua
-- Makes an operator key change (disable, rotate) atomic with its audit event, and only for a key
-- that exists: a missing key is not created by a patch.
-- KEYS: 1 dataset marker, 2 audit stream, 3 operator key hash
-- ARGV: 1 expected epoch, 2 audit max length, 3 audit event JSON, 4.. patch fields

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

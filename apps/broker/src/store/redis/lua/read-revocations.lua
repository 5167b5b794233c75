#!lua flags=no-writes
-- Reads a page of the revocation feed together with the highest id ever trimmed from it and the
-- newest id, in one step, so a reader learns of a gap (entries it can no longer get) or of a
-- cursor ahead of the feed (one it never issued) from the same view as the page.
-- KEYS:
--   1 dataset            dataset marker
--   2 feed               revocation feed
--   3 feedTrimmed        highest trimmed feed id
-- ARGV:
--   1 epoch              expected epoch
--   2 afterId            exclusive start id
--   3 count              count
-- Returns { entries, highest trimmed id, newest id ('0-0' when empty) }

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end

-- Inclusive start, dropping the cursor's own entry: '(' .. the largest id is an error in Redis.
local count = tonumber(ARGV[3])
local read = redis.call('XRANGE', KEYS[2], ARGV[2], '+', 'COUNT', count + 1)
local entries = {}
for _, entry in ipairs(read) do
  if entry[1] ~= ARGV[2] and #entries < count then
    entries[#entries + 1] = entry
  end
end
local newest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
return { entries, redis.call('GET', KEYS[3]) or '0-0', newest[1] and newest[1][1] or '0-0' }

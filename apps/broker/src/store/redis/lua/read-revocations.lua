#!lua flags=no-writes
-- Reads a page of the revocation feed together with the highest id ever trimmed from it, in one
-- step, so a reader learns of a gap (entries it can no longer get) from the same view as the page.
-- KEYS:
--   1 dataset            dataset marker
--   2 feed               revocation feed
--   3 feedTrimmed        highest trimmed feed id
-- ARGV:
--   1 epoch              expected epoch
--   2 afterId            exclusive start id
--   3 count              count
-- Returns { entries, highest trimmed id }

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end

local entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[2], '+', 'COUNT', ARGV[3])
return { entries, redis.call('GET', KEYS[3]) or '0-0' }

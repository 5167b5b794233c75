#!lua
-- Makes a fixed-window count atomic: the increment and the window's expiry are set together, so a
-- counter can never be left without a TTL (which would block its key for good).
-- KEYS:
--   1 counter            the window's counter
-- ARGV:
--   1 windowSeconds      window (s)
-- Returns { count in this window, ms left in the window }

local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
return { count, redis.call('PTTL', KEYS[1]) }

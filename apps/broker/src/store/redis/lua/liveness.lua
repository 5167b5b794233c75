-- Not a script of its own: the allow-list rules of shared/liveness.ts, placed by sources.ts right
-- after the shebang of every script that decides whether a writ is live (commit-issuance.lua,
-- authorize-action.lua), so the two can never disagree.

-- The task's expires_at when it exists, is live and has not expired at `now`; else nil.
local function live_until(key, now)
  local fields = redis.call('HMGET', key, 'status', 'expires_at')
  local expires_at = tonumber(fields[2])
  if fields[1] == 'live' and expires_at ~= nil and expires_at > now then
    return expires_at
  end
  return nil
end

-- Whether a stored below_gen revokes a writ of generation `gen`. A below_gen that is present
-- but not a number means the store cannot be trusted: the script fails, nothing is decided.
local function covers(value, gen)
  if value == false then
    return false
  end
  local below = tonumber(value)
  if below == nil then
    error('a stored generation is malformed')
  end
  return gen < below
end

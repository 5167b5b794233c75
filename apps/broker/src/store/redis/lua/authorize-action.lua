#!lua
-- Makes one runtime authorization atomic: dataset marker check, the writ's liveness (the same
-- allow-list as shared/liveness.ts), every budget on the chain (total and this tool's), one unit
-- taken from the task and from each ancestor when all allow, and exactly one audit event carrying
-- the decision reached. All reads come before the first write.
-- KEYS:
--   1 dataset            dataset marker
--   2 audit              audit stream
--   3 writ               writ hash
--   4 revokedWrits       revoked writs
--   5 revokedAll         revoked:all
--   6 revokedPrincipals  revoked principals
--   7 revokedIssuers     revoked issuers
--   8 ...chainTaskKeys   per task of the chain (the task first, then its ancestors nearest first):
--                        task hash, usage hash
-- ARGV:
--   1 epoch              expected epoch
--   2 now                now (s)
--   3 auditMaxLen        audit max length
--   4 retention          retention (s)
--   5 jti                jti
--   6 gen                writ gen
--   7 tool               tool
--   8 allowedEvent       allowed audit event JSON
--   9 deniedEventTail    denied audit event JSON without its opening brace and reasons
--  10 principalCount     number of principals P
--  11 ...principals      the P principals
--     ...issuers         the issuers
--     ...chain           the chain's task ids in KEYS order
-- Returns { 'allow'|'deny', reasons, total left or -1, tool left or -1 }

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'dataset_lost'
end

local now = tonumber(ARGV[2])
local gen = tonumber(ARGV[6])
local tool = ARGV[7]
local principal_count = tonumber(ARGV[10])
local task_count = (#KEYS - 7) / 2
local first_task_arg = #ARGV - task_count + 1
local issuers = {}
for i = 11 + principal_count, first_task_arg - 1 do
  issuers[#issuers + 1] = ARGV[i]
end
local principals = {}
for i = 11, 10 + principal_count do
  principals[#principals + 1] = ARGV[i]
end

local function deny(reasons, total_left, tool_left)
  local event = '{"reasons":' .. cjson.encode(reasons) .. ',' .. ARGV[9]
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'e', event)
  return { 'deny', reasons, total_left, tool_left }
end

local writ = redis.call('HMGET', KEYS[3], 'jti', 'revoked')
if writ[1] == false then
  return deny({ 'writ_unknown' }, -1, -1)
end
if writ[2] == '1' or redis.call('ZSCORE', KEYS[4], ARGV[5]) ~= false then
  return deny({ 'writ_revoked' }, -1, -1)
end
local expires = {}
for t = 1, task_count do
  expires[t] = live_until(KEYS[6 + 2 * t], now)
  if expires[t] == nil then
    return deny({ t == 1 and 'task_not_live' or 'ancestor_not_live' }, -1, -1)
  end
end
local below_gens = { redis.call('GET', KEYS[5]) }
if #principals > 0 then
  for _, value in ipairs(redis.call('HMGET', KEYS[6], unpack(principals))) do
    below_gens[#below_gens + 1] = value
  end
end
if #issuers > 0 then
  for _, value in ipairs(redis.call('HMGET', KEYS[7], unpack(issuers))) do
    below_gens[#below_gens + 1] = value
  end
end
for i = 1, #below_gens do
  if covers(below_gens[i], gen) then
    return deny({ 'revoked_by_generation' }, -1, -1)
  end
end

local exhausted = {}
local total_left = nil
local tool_left = nil
for t = 1, task_count do
  local task_id = ARGV[first_task_arg + t - 1]
  local budget_json = redis.call('HGET', KEYS[6 + 2 * t], 'budget')
  if budget_json then
    local budget = cjson.decode(budget_json)
    local used = redis.call('HMGET', KEYS[7 + 2 * t], 'total', 'tool:' .. tool)
    local used_total = tonumber(used[1]) or 0
    local used_tool = tonumber(used[2]) or 0
    if type(budget.total) == 'number' then
      if used_total >= budget.total then
        exhausted[#exhausted + 1] = 'budget_exhausted:total:' .. task_id
      end
      local left = budget.total - used_total
      if total_left == nil or left < total_left then
        total_left = left
      end
    end
    local per_tool = budget.per_tool
    if type(per_tool) == 'table' and type(per_tool[tool]) == 'number' then
      if used_tool >= per_tool[tool] then
        exhausted[#exhausted + 1] = 'budget_exhausted:tool:' .. tool .. ':' .. task_id
      end
      local left = per_tool[tool] - used_tool
      if tool_left == nil or left < tool_left then
        tool_left = left
      end
    end
  end
end

local taken = #exhausted == 0 and 1 or 0
local function least(left)
  if left == nil then
    return -1
  end
  return math.max(0, left - taken)
end

if #exhausted > 0 then
  return deny(exhausted, least(total_left), least(tool_left))
end

local retention = tonumber(ARGV[4])
for t = 1, task_count do
  local usage = KEYS[7 + 2 * t]
  redis.call('HINCRBY', usage, 'total', 1)
  redis.call('HINCRBY', usage, 'tool:' .. tool, 1)
  redis.call('EXPIREAT', usage, expires[t] + retention)
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[8])
return { 'allow', {}, least(total_left), least(tool_left) }

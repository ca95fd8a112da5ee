/**
 * The Lua script behind every Redis decision: one round trip that reads each limit's counter, decides for all
 * of them, and writes (with an expiry) only when every limit admits the request. It transcribes
 * `algorithms.ts` line by line — keep the two in step. Redis runs scripts one at a time, so decisions from
 * any number of engine instances are serialised and exact.
 *
 * KEYS[i]: the counter hash of limit i (fields a, b, c as in `Counter`).
 * ARGV[1]: now in epoch milliseconds, or '' to use the Redis server's clock (TIME).
 * ARGV[2 + 5(i-1) …]: per limit: algorithm ('f' | 's' | 'b'), limit, windowMs, capacity, cost.
 * Returns { allowed, per limit: allowed, remaining, resetMs, retryAfterMs, …, nowMs } (all integers).
 */
export const DECIDE_SCRIPT = `
local EPSILON = 1e-9
local now
if ARGV[1] == '' then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
else
  now = tonumber(ARGV[1])
end

local n = #KEYS
local rules, usages, passes = {}, {}, {}
local all = true
for i = 1, n do
  local base = 2 + (i - 1) * 5
  local rule = {
    alg = ARGV[base],
    limit = tonumber(ARGV[base + 1]),
    window = tonumber(ARGV[base + 2]),
    capacity = tonumber(ARGV[base + 3]),
    cost = tonumber(ARGV[base + 4]),
  }
  rules[i] = rule
  local w = rule.window
  local stored = redis.call('HMGET', KEYS[i], 'a', 'b', 'c')
  local a, b, c = tonumber(stored[1]), tonumber(stored[2]), tonumber(stored[3])
  local u = { index = 0, current = 0, previous = 0, weight = 1 }
  if rule.alg == 'b' then
    u.current = rule.capacity
    if a ~= nil and b ~= nil then
      u.current = math.min(rule.capacity, a + math.max(0, now - b) * (rule.limit / w))
    end
  else
    u.index = math.floor(now / w)
    if rule.alg == 'f' then
      if a == u.index and b ~= nil then u.current = b end
    else
      if a == u.index then
        u.current = b or 0
        u.previous = c or 0
      elseif a == u.index - 1 then
        u.previous = b or 0
      end
      u.weight = 1 - (now - u.index * w) / w
    end
  end
  usages[i] = u
  local ok
  if rule.alg == 'f' then
    ok = u.current + rule.cost <= rule.limit
  elseif rule.alg == 's' then
    ok = u.previous * u.weight + u.current + rule.cost <= rule.limit + EPSILON
  else
    ok = u.current + EPSILON >= rule.cost
  end
  passes[i] = ok
  if not ok then all = false end
end

if all then
  for i = 1, n do
    local rule, u = rules[i], usages[i]
    local w = rule.window
    if rule.cost > 0 then
      if rule.alg == 'b' then
        u.current = u.current - rule.cost
      else
        u.current = u.current + rule.cost
      end
      if u.current < 0 then u.current = 0 end
      local ttl
      if rule.alg == 'b' then
        redis.call('HSET', KEYS[i], 'a', string.format('%.17g', u.current), 'b', now, 'c', 0)
        ttl = math.ceil((rule.capacity - u.current) * w / rule.limit)
      else
        redis.call('HSET', KEYS[i], 'a', u.index, 'b', u.current, 'c', u.previous)
        local kept = 2
        if rule.alg == 'f' then kept = 1 end
        ttl = math.ceil((u.index + kept) * w - now)
      end
      redis.call('PEXPIRE', KEYS[i], math.max(1, ttl))
    end
  end
end

local out = { all and 1 or 0 }
for i = 1, n do
  local rule, u = rules[i], usages[i]
  local w = rule.window
  local remaining, reset, retry = 0, 0, 0
  if rule.alg == 'b' then
    remaining = math.floor(u.current + EPSILON)
    reset = (rule.capacity - u.current) * w / rule.limit
  else
    remaining = math.max(0, math.floor(rule.limit - u.previous * u.weight - u.current + EPSILON))
    if rule.alg == 'f' then
      reset = (u.index + 1) * w - now
    elseif u.current > 0 then
      reset = (u.index + 2) * w - now
    elseif u.previous > 0 then
      reset = (u.index + 1) * w - now
    end
  end
  if not passes[i] then
    if rule.alg == 'f' then
      retry = (u.index + 1) * w - now
    elseif rule.alg == 'b' then
      retry = (rule.cost - u.current) * w / rule.limit
    else
      local elapsed = now - u.index * w
      local room = rule.limit - rule.cost - u.current
      if room >= 0 and u.previous > 0 then
        retry = math.max(0, w * (1 - room / u.previous) - elapsed)
      elseif u.current <= 0 then
        retry = w - elapsed
      else
        retry = w - elapsed + math.max(0, w * (1 - (rule.limit - rule.cost) / u.current))
      end
    end
  end
  out[#out + 1] = passes[i] and 1 or 0
  out[#out + 1] = remaining
  out[#out + 1] = math.ceil(reset)
  out[#out + 1] = math.ceil(retry)
end
out[#out + 1] = now
return out
`

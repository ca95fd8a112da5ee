/**
 * Lua scripts, so each multi-key change is one atomic round trip. Tag and intent indexes are Redis sets of
 * (unprefixed) cache keys; a set lives as long as its longest-lived member could, and its members may
 * outlive their entries (deleting a missing key is harmless).
 */

/** KEYS: entry key, then index sets. ARGV: value, lifetime ms, index lifetime s, the cache key. */
export const SET_ENTRY = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local seconds = tonumber(ARGV[3])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[4])
  if redis.call('TTL', KEYS[i]) < seconds then redis.call('EXPIRE', KEYS[i], seconds) end
end
return 1
`

/** KEYS: index sets. ARGV: the entry key prefix. Deletes every member's entry, then the sets. */
export const DROP_GROUPS = `
local removed = 0
for i = 1, #KEYS do
  local members = redis.call('SMEMBERS', KEYS[i])
  for first = 1, #members, 500 do
    local batch = {}
    for j = first, math.min(first + 499, #members) do batch[#batch + 1] = ARGV[1] .. members[j] end
    removed = removed + redis.call('DEL', unpack(batch))
  end
  redis.call('DEL', KEYS[i])
end
return removed
`

/** KEYS: lock key. ARGV: the holder's token. Deletes the lock only if this holder still owns it. */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

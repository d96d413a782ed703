/**
 * The Lua scripts of the Redis store: each change that must be atomic (a
 * join bumping the version and publishing the presence, an append taking
 * the offset, keeping the message and publishing it) is one script, so
 * every node sees one order. Run with `EVALSHA`, falling back to `EVAL`
 * when Redis lost its script cache (a restart). Internal.
 *
 * Offsets are kept as strings in Lua: a channel's first offset is the
 * Redis time in ms × 1000, past the 14 digits Lua prints exactly, so they
 * are formatted with `%.0f` (exact below 2^53).
 *
 * Keys (`P` is the prefix): `Pmeta:<channel>` hash (epoch, offset,
 * version, seq), `Pmem:<channel>` hash (member id → `seq|node|data`),
 * `Plog:<channel>` stream (id `0-<offset>`, fields `t` ms and `b` body),
 * `Psess:<id>` hash (user, resume, node), `Pmids:<id>` hash and
 * `Pmidq:<id>` list, `Pparked` sorted set (session → expiry), `Pnodes`
 * sorted set (node → last beat),
 * `Pnodech:<node>` set, `Pboot` string. Pub/sub: `Pch:<channel>` and
 * `Pnode:<node>`.
 *
 * @module
 */

import type { RedisCommands } from "./client.ts";

/** Makes the channel's meta when missing: a new epoch, offsets from the time. */
const CREATE = `
local function create(meta, log, epoch)
  if redis.call('EXISTS', meta) == 1 then return end
  local t = redis.call('TIME')
  local base = string.format('%.0f', tonumber(t[1]) * 1000000 + math.floor(tonumber(t[2]) / 1000) * 1000)
  redis.call('HSET', meta, 'epoch', epoch, 'offset', base, 'version', 0, 'seq', 0)
  redis.call('DEL', log)
end
local function nowms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function state(meta, mem)
  local m = redis.call('HMGET', meta, 'epoch', 'offset', 'version')
  return {m[1], m[2], m[3], redis.call('HGETALL', mem)}
end
-- An emptied channel keeps its history for the history TTL, then goes.
local function idle(meta, mem, log, ttl, name)
  if name == '*' or redis.call('HLEN', mem) > 0 then return end
  if tonumber(ttl) > 0 then
    redis.call('PEXPIRE', meta, ttl)
    redis.call('PEXPIRE', log, ttl)
  else
    redis.call('DEL', meta, log)
  end
end
local function pver(meta)
  return string.format('%.0f', redis.call('HINCRBY', meta, 'version', 1))
end
`;

/** KEYS meta mem log nodech; ARGV id node data epoch pubsub name idJson. */
const JOIN = CREATE + `
create(KEYS[1], KEYS[3], ARGV[4])
redis.call('PERSIST', KEYS[1])
redis.call('PERSIST', KEYS[3])
local old = redis.call('HGET', KEYS[2], ARGV[1])
local seq = old and string.match(old, '^(%d+)|') or redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[2], ARGV[1], seq .. '|' .. ARGV[2] .. '|' .. ARGV[3])
local version = pver(KEYS[1])
redis.call('SADD', KEYS[4], ARGV[6])
redis.call('PUBLISH', ARGV[5], 'p|' .. ARGV[2] .. '|join|' .. version .. '|[' .. ARGV[7] .. ',' .. ARGV[3] .. ']')
return state(KEYS[1], KEYS[2])
`;

/** KEYS meta mem log nodech; ARGV id node pubsub name last ttl idJson. */
const LEAVE = CREATE + `
if redis.call('EXISTS', KEYS[1]) == 0 then return '0' end
if ARGV[5] == '1' then redis.call('SREM', KEYS[4], ARGV[4]) end
local old = redis.call('HGET', KEYS[2], ARGV[1])
local holder = old and string.match(old, '^%d+|([^|]*)|')
-- Another node holds the member now (its session moved): not ours to remove.
if old and holder ~= ARGV[2] then return redis.call('HGET', KEYS[1], 'version') end
local data = old and string.match(old, '^%d+|[^|]*|(.*)$') or 'null'
redis.call('HDEL', KEYS[2], ARGV[1])
local version = pver(KEYS[1])
redis.call('PUBLISH', ARGV[3], 'p|' .. ARGV[2] .. '|leave|' .. version .. '|[' .. ARGV[7] .. ',' .. data .. ']')
idle(KEYS[1], KEYS[2], KEYS[3], ARGV[6], ARGV[4])
return version
`;

/** KEYS meta mem; ARGV id node data pubsub idJson. */
const UPDATE = CREATE + `
local old = redis.call('HGET', KEYS[2], ARGV[1])
if not old then return redis.call('HGET', KEYS[1], 'version') or '0' end
local head = string.match(old, '^(%d+|[^|]*)|')
redis.call('HSET', KEYS[2], ARGV[1], head .. '|' .. ARGV[3])
local version = pver(KEYS[1])
redis.call('PUBLISH', ARGV[4], 'p|' .. ARGV[2] .. '|update|' .. version .. '|[' .. ARGV[5] .. ',' .. ARGV[3] .. ']')
return version
`;

/** KEYS meta mem log; ARGV epoch app. */
const CHANNEL = CREATE + `
if ARGV[2] == '1' then create(KEYS[1], KEYS[3], ARGV[1]) end
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
return state(KEYS[1], KEYS[2])
`;

/**
 * KEYS meta mem log [sess mids midq]; ARGV node body pubsub size ttl app
 * epoch name [mid dedupeSize]. With a message id, remembers it (acked with
 * the offset) in the same step.
 */
const APPEND = CREATE + `
if ARGV[6] == '1' then create(KEYS[1], KEYS[3], ARGV[7]) end
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local offset = string.format('%.0f', redis.call('HINCRBY', KEYS[1], 'offset', 1))
if ARGV[9] then
  local ttl = redis.call('PTTL', KEYS[4])
  if ttl > 0 and redis.call('HSET', KEYS[5], ARGV[9], '{"offset":' .. offset .. '}') == 1 then
    redis.call('RPUSH', KEYS[6], ARGV[9])
    if redis.call('LLEN', KEYS[6]) > tonumber(ARGV[10]) then
      redis.call('HDEL', KEYS[5], redis.call('LPOP', KEYS[6]))
    end
    redis.call('PEXPIRE', KEYS[5], ttl)
    redis.call('PEXPIRE', KEYS[6], ttl)
  end
end
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if tonumber(ARGV[4]) > 0 and tonumber(ARGV[5]) > 0 then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '0-' .. offset, 't', nowms(), 'b', ARGV[2])
  redis.call('PEXPIRE', KEYS[3], ARGV[5])
  idle(KEYS[1], KEYS[2], KEYS[3], ARGV[5], ARGV[8])
end
redis.call('PUBLISH', ARGV[3], 'm|' .. ARGV[1] .. '|' .. epoch .. '|' .. offset .. '|' .. ARGV[2])
return {epoch, offset}
`;

/** KEYS meta log; ARGV epoch since ttl. */
const HISTORY = CREATE + `
local m = redis.call('HMGET', KEYS[1], 'epoch', 'offset')
if not m[1] or m[1] ~= ARGV[1] then return {'0', 'history_lost'} end
local since = tonumber(ARGV[2])
local last = tonumber(m[2])
if since > last then return {'0', 'history_lost'} end
if since == last then return {'1', m[2]} end
local from = '0-' .. string.format('%.0f', since + 1)
local entries = redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', last - since)
if #entries ~= last - since or entries[1][1] ~= from then return {'0', 'too_far_behind'} end
if tonumber(entries[1][2][2]) < nowms() - tonumber(ARGV[3]) then return {'0', 'too_far_behind'} end
local answer = {'1', m[2]}
for i = 1, #entries do
  answer[#answer + 1] = entries[i][1]
  answer[#answer + 1] = entries[i][2][4]
end
return answer
`;

/**
 * ARGV prefix node deadAfter ttl boot. Marks this node alive; each node
 * not heard for `deadAfter` ms has its members leave (once: the node goes
 * with them). Answers the reaped count, the boot mark (set if missing: a
 * missing mark means Redis lost its data) and how many sessions are parked.
 */
const BEAT = CREATE + `
local p = ARGV[1]
local now = nowms()
redis.call('ZADD', p .. 'nodes', now, ARGV[2])
local dead = redis.call('ZRANGEBYSCORE', p .. 'nodes', '-inf', now - tonumber(ARGV[3]), 'LIMIT', 0, 10)
local reaped = 0
for _, node in ipairs(dead) do
  for _, name in ipairs(redis.call('SMEMBERS', p .. 'nodech:' .. node)) do
    local meta, mem, log = p .. 'meta:' .. name, p .. 'mem:' .. name, p .. 'log:' .. name
    local all = redis.call('HGETALL', mem)
    for i = 1, #all, 2 do
      local holder, data = string.match(all[i + 1], '^%d+|([^|]*)|(.*)$')
      if holder == node then
        redis.call('HDEL', mem, all[i])
        local version = pver(meta)
        redis.call('PUBLISH', p .. 'ch:' .. name, 'p|' .. node .. '|leave|' .. version .. '|[' .. cjson.encode(all[i]) .. ',' .. data .. ']')
        reaped = reaped + 1
      end
    end
    if redis.call('EXISTS', meta) == 1 then idle(meta, mem, log, ARGV[4], name) end
  end
  redis.call('DEL', p .. 'nodech:' .. node)
  redis.call('ZREM', p .. 'nodes', node)
end
local boot = redis.call('GET', p .. 'boot')
if not boot then
  boot = ARGV[5]
  redis.call('SET', p .. 'boot', boot)
end
redis.call('ZREMRANGEBYSCORE', p .. 'parked', '-inf', now)
return {reaped, boot, redis.call('ZCARD', p .. 'parked')}
`;

/**
 * ARGV prefix, then (channel, epoch, next) triples: what each channel has
 * past what this node delivered (pub/sub drops messages while a subscriber
 * reconnects). Answers, per channel behind, `{channel, epoch, id, body, …}`:
 * the entries from `next` in the same epoch, or the newest of a new one.
 */
const CATCH_UP = `
local p = ARGV[1]
local answer = {}
for i = 2, #ARGV, 3 do
  local name, epoch, nxt = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local m = redis.call('HMGET', p .. 'meta:' .. name, 'epoch', 'offset')
  local entries = {}
  if m[1] and m[1] ~= epoch then
    entries = redis.call('XREVRANGE', p .. 'log:' .. name, '+', '-', 'COUNT', 1)
  elseif m[1] and tonumber(m[2]) >= nxt then
    entries = redis.call('XRANGE', p .. 'log:' .. name, '0-' .. string.format('%.0f', nxt), '+', 'COUNT', 1000)
  end
  if #entries > 0 then
    local row = {name, m[1]}
    for _, entry in ipairs(entries) do
      row[#row + 1] = entry[1]
      row[#row + 1] = entry[2][4]
    end
    answer[#answer + 1] = row
  end
end
return answer
`;

/** KEYS sess mids midq parked; ARGV user resume node ttl id. */
const CREATE_SESSION = `
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[5])
redis.call('HSET', KEYS[1], 'user', ARGV[1], 'resume', ARGV[2], 'node', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
`;

/** KEYS sess mids midq parked; ARGV user resume node ttl prefix id. */
const RESUME_SESSION = `
local s = redis.call('HMGET', KEYS[1], 'user', 'resume', 'node')
if not s[1] or s[1] ~= ARGV[1] or s[2] ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[4], ARGV[6])
if s[3] ~= '' and s[3] ~= ARGV[3] then
  redis.call('PUBLISH', ARGV[5] .. 'node:' .. s[3], KEYS[1])
end
redis.call('HSET', KEYS[1], 'node', ARGV[3])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
return 1
`;

/**
 * KEYS sess mids midq parked; ARGV node ttl id. Parks only a session this
 * node holds; `parked` (id → expiry) is what `counts()` reports.
 */
const PARK_SESSION = CREATE + `
if redis.call('HGET', KEYS[1], 'node') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'node', '')
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
redis.call('ZADD', KEYS[4], nowms() + tonumber(ARGV[2]), ARGV[3])
return 1
`;

/** KEYS sess mids midq parked; ARGV node id. Ends a session this node holds or parked. */
const END_SESSION = `
local node = redis.call('HGET', KEYS[1], 'node')
if node and node ~= '' and node ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[2])
return 1
`;

/** KEYS sess mids midq; ARGV mid ack size. */
const REMEMBER = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return 0 end
if redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) == 1 then
  redis.call('RPUSH', KEYS[3], ARGV[1])
  if redis.call('LLEN', KEYS[3]) > tonumber(ARGV[3]) then
    redis.call('HDEL', KEYS[2], redis.call('LPOP', KEYS[3]))
  end
end
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[3], ttl)
return 1
`;

/** The store's scripts by name. */
export const SCRIPTS = {
  join: JOIN,
  leave: LEAVE,
  update: UPDATE,
  channel: CHANNEL,
  append: APPEND,
  history: HISTORY,
  beat: BEAT,
  catchUp: CATCH_UP,
  createSession: CREATE_SESSION,
  resumeSession: RESUME_SESSION,
  parkSession: PARK_SESSION,
  endSession: END_SESSION,
  remember: REMEMBER,
} as const;

/** A script's name. */
export type ScriptName = keyof typeof SCRIPTS;

/** Runs the scripts by their SHA1, loading one again when Redis lost it. */
export class Scripts {
  #client: RedisCommands;
  #shas = new Map<ScriptName, string>();

  constructor(client: RedisCommands) {
    this.#client = client;
  }

  /** Runs script `name` with `keys` and `args`. */
  async run(
    name: ScriptName,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    const sha = this.#shas.get(name);
    if (sha !== undefined) {
      try {
        return await this.#client.sendCommand(["EVALSHA", sha, ...tail]);
      } catch (error) {
        if (!String((error as Error)?.message).includes("NOSCRIPT")) {
          throw error;
        }
      }
    }
    const loaded = await this.#client.sendCommand([
      "SCRIPT",
      "LOAD",
      SCRIPTS[name],
    ]);
    this.#shas.set(name, String(loaded));
    return await this.#client.sendCommand(["EVALSHA", String(loaded), ...tail]);
  }
}

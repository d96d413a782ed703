/**
 * The relay's heartbeat from `LIFELINE_HEARTBEAT_INTERVAL` and
 * `LIFELINE_HEARTBEAT_TIMEOUT` (milliseconds), for the Worker: at the edge
 * the heartbeat sets how often the object's alarm wakes it to sweep.
 *
 * @module
 */

import type { Heartbeat } from "../../src/protocol/mod.ts";
import type { Env } from "../relay/config.ts";
import { readNumber } from "../relay/read_number.ts";

/** The heartbeat the variables set (absent ones keep the relay's default). */
export function heartbeatFrom(env: Env): Partial<Heartbeat> {
  const heartbeat: Partial<Heartbeat> = {};
  const interval = readNumber(env, "LIFELINE_HEARTBEAT_INTERVAL");
  if (interval !== undefined) heartbeat.interval = interval;
  const timeout = readNumber(env, "LIFELINE_HEARTBEAT_TIMEOUT");
  if (timeout !== undefined) heartbeat.timeout = timeout;
  return heartbeat;
}

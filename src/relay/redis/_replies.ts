/**
 * Reading the Redis store's replies and writing its stored values. Internal.
 *
 * @module
 */

import type { Member } from "../../protocol/mod.ts";
import type { ChannelState } from "../store.ts";

/** A member's stored value: `seq|node|data`. */
const MEMBER = /^(\d+)\|[^|]*\|([\s\S]*)$/;

/** The stored user of a session: anonymous sessions match only anonymous ones. */
export function user(userId: string | undefined): string {
  return userId === undefined ? "-" : `u:${userId}`;
}

/** A `state` reply: epoch, offset, version, then the members hash flat. */
export function channelState(reply: unknown): ChannelState {
  const [epoch, offset, version, flat] = reply as [
    string,
    string,
    string,
    string[],
  ];
  const sorted: [number, Member][] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const match = MEMBER.exec(flat[i + 1]);
    if (match === null) continue;
    sorted.push([Number(match[1]), {
      id: flat[i],
      data: JSON.parse(match[2]),
    }]);
  }
  sorted.sort((a, b) => a[0] - b[0]);
  return {
    members: sorted.map(([, member]) => member),
    offset: Number(offset),
    version: Number(version),
    epoch,
  };
}

/** A kept message's body, `[event,data,sender]`, as an order's arrival. */
export function entry(
  body: string,
): { event: string; data: unknown; sender: string | null } {
  const [event, data, sender] = JSON.parse(body);
  return { event, data, sender };
}

/**
 * A channel as one relay process sees it: the connections in it here, to
 * fan out to. Its members across processes, offset and presence version are
 * the store's. Internal.
 *
 * @module
 */

import type { Member } from "../protocol/mod.ts";

/** What a channel needs of a connection in it: its member id and profile. */
export interface ChannelMember {
  readonly id: string;
  readonly profile: unknown;
}

/**
 * One channel with members on this relay; exists while it has some. Generic
 * over the connection type so that a connection can list its channels
 * without the two modules importing each other.
 */
export class Channel<M extends ChannelMember = ChannelMember> {
  readonly name: string;
  readonly members: Set<M> = new Set();
  /**
   * Members whose connection dropped, kept for the presence grace: still
   * members (listed, in the store), but nothing is sent to them.
   */
  readonly away: Set<M> = new Set();

  /**
   * Whether its members hear joins, leaves and updates and a join's ack
   * lists them (the relay's `presence` option).
   */
  readonly presence: boolean;

  constructor(name: string, presence = true) {
    this.name = name;
    this.presence = presence;
  }

  /** Whether nobody is in it here, connected or in grace. */
  get empty(): boolean {
    return this.members.size === 0 && this.away.size === 0;
  }

  /** The members here, connected (in join order) then in grace. */
  memberList(): Member[] {
    const list: Member[] = [];
    for (const c of this.members) list.push({ id: c.id, data: c.profile });
    for (const c of this.away) list.push({ id: c.id, data: c.profile });
    return list;
  }
}

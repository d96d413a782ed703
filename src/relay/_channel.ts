/**
 * A channel as one relay process sees it: the connections in it here, to
 * fan out to. Its members across processes, offset and presence version are
 * the store's. Internal.
 *
 * @module
 */

import type { Member } from "../protocol/mod.ts";
import type { Connection } from "./_connection.ts";

/** One channel with members on this relay; exists while it has some. */
export class Channel {
  readonly name: string;
  readonly members: Set<Connection> = new Set();

  constructor(name: string) {
    this.name = name;
  }

  /** The members connected here, in join order. */
  memberList(): Member[] {
    const list: Member[] = [];
    for (const c of this.members) list.push({ id: c.id, data: c.profile });
    return list;
  }
}

/**
 * A relay channel: its members, its message offset and its presence version.
 *
 * @module
 */

import type { Member } from "../protocol/mod.ts";
import type { Connection } from "./_connection.ts";

/** One channel; exists while it has members. */
export class Channel {
  readonly name: string;
  readonly members: Set<Connection> = new Set();
  /** The offset of the last message published here (0 before the first). */
  offset = 0;
  /** The presence version, bumped by every join, leave and update. */
  version = 0;

  constructor(name: string) {
    this.name = name;
  }

  memberList(): Member[] {
    const list: Member[] = [];
    for (const c of this.members) list.push({ id: c.id, data: c.profile });
    return list;
  }
}

/**
 * A relay session: the id a client keeps across reconnects and the memory of
 * the client message ids it published, so a resend is never delivered twice.
 *
 * @module
 */

import type { PubAckData } from "../protocol/mod.ts";

/** One session; outlives its connection for the resume window. */
export class Session {
  readonly id: string;
  readonly userId: string | undefined;
  #mids = new Map<string, PubAckData>();
  #capacity: number;

  constructor(id: string, userId: string | undefined, capacity: number) {
    this.id = id;
    this.userId = userId;
    this.#capacity = capacity;
  }

  /** The ack data of an already published `mid`, if remembered. */
  seen(mid: string): PubAckData | undefined {
    return this.#mids.get(mid);
  }

  /** Remembers a published `mid`, forgetting the oldest past capacity. */
  remember(mid: string, ack: PubAckData): void {
    if (this.#capacity <= 0) return;
    this.#mids.set(mid, ack);
    if (this.#mids.size > this.#capacity) {
      this.#mids.delete(this.#mids.keys().next().value!);
    }
  }
}

/**
 * Presence batching for big channels: the presence changes of a channel
 * within `presenceBatch` ms go to its members as one `diff` frame, so a
 * channel filling up (or emptying) costs one frame per member per window,
 * not one per member per change. One timer for the whole relay, armed while
 * changes wait. Internal.
 *
 * @module
 */

import {
  diffFrame,
  encodeFrame,
  type PresenceChange,
} from "../protocol/mod.ts";
import type { Context } from "./_context.ts";
import type { Delivery } from "./_delivery.ts";

/** The presence changes waiting to go out, by channel name. */
export class PresenceBatch {
  #context: Context;
  #delivery: Delivery;
  #pending: Map<string, PresenceChange[]> = new Map();
  #timer: unknown = undefined;

  constructor(context: Context, delivery: Delivery) {
    this.#context = context;
    this.#delivery = delivery;
  }

  /** Whether channel `name` has changes waiting (later ones must wait too). */
  has(name: string): boolean {
    return this.#pending.has(name);
  }

  /** Queues a change of channel `name`; the window starts with the first. */
  add(name: string, change: PresenceChange): void {
    const changes = this.#pending.get(name);
    if (changes !== undefined) changes.push(change);
    else this.#pending.set(name, [change]);
    if (this.#timer !== undefined) return;
    const { clock, settings } = this.#context;
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, settings.presenceBatch);
  }

  /** Sends every waiting change, one `diff` frame per channel. */
  flush(): void {
    const pending = this.#pending;
    this.#pending = new Map();
    for (const [name, changes] of pending) this.#send(name, changes);
  }

  /** Sends channel `name`'s waiting changes now (before a `members` answer). */
  flushChannel(name: string): void {
    const changes = this.#pending.get(name);
    if (changes === undefined) return;
    this.#pending.delete(name);
    this.#send(name, changes);
  }

  #send(name: string, changes: PresenceChange[]): void {
    const channel = this.#delivery.local.get(name);
    if (channel === undefined) return; // nobody left here to tell
    const text = encodeFrame(diffFrame(name, changes));
    this.#delivery.toChannel(channel, text, undefined, false);
  }

  /** Drops what waits and the timer (the relay closed). */
  clear(): void {
    if (this.#timer !== undefined) {
      this.#context.clock.clearTimeout(this.#timer);
    }
    this.#timer = undefined;
    this.#pending.clear();
  }
}

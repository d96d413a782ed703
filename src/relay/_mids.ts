/**
 * One session's remembered `mid`s for dedupe, for the memory store: their
 * acks by `mid`, and the order they were remembered in, as a ring, so that
 * forgetting the oldest costs no iteration (a `Map`'s first key, after many
 * deletes, is found by skipping every deleted entry before it). An ack is
 * kept as its offset, a number, not as an object that the garbage collector
 * would carry for as long as it is remembered. Internal.
 *
 * @module
 */

import type { PubAckData } from "../protocol/mod.ts";

/** A session's remembered `mid`s, at most `capacity`, oldest forgotten first. */
export class RememberedMids {
  /** The acks' offsets by `mid`; -1 for an ack without one. */
  readonly #acks = new Map<string, number>();
  /** The `mid`s, oldest first from `#start`; grows to `#capacity`. */
  #ring: string[] = [];
  #start = 0;
  readonly #capacity: number;

  /** `capacity` ≥ 1. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** How many are remembered. */
  get size(): number {
    return this.#acks.size;
  }

  /** The ack of `mid`, if remembered. */
  get(mid: string): PubAckData | undefined {
    const offset = this.#acks.get(mid);
    if (offset === undefined) return undefined;
    return offset < 0 ? {} : { offset };
  }

  /**
   * Remembers `mid` (a known one gets the new ack, and keeps its place),
   * forgetting the oldest when full; answers whether the count grew.
   */
  add(mid: string, ack: PubAckData): boolean {
    const acks = this.#acks;
    const count = acks.size;
    acks.set(mid, ack.offset ?? -1);
    if (acks.size === count) return false;
    const ring = this.#ring;
    const length = ring.length;
    if (count < length) {
      ring[(this.#start + count) % length] = mid;
      return true;
    }
    if (length < this.#capacity) {
      if (this.#start !== 0) this.#straighten();
      this.#ring.push(mid);
      return true;
    }
    // Full: the newest takes the oldest's place.
    const start = this.#start;
    acks.delete(ring[start]);
    ring[start] = mid;
    this.#start = start + 1 === length ? 0 : start + 1;
    return false;
  }

  /** Forgets the oldest. */
  forgetOldest(): void {
    const ring = this.#ring;
    const start = this.#start;
    this.#acks.delete(ring[start]);
    ring[start] = "";
    this.#start = start + 1 === ring.length ? 0 : start + 1;
  }

  /** Puts the ring's oldest at index 0, before it grows. */
  #straighten(): void {
    const ring = this.#ring;
    this.#ring = ring.slice(this.#start).concat(ring.slice(0, this.#start));
    this.#start = 0;
  }
}

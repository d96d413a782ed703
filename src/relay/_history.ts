/**
 * One channel's recent messages for recovery: a ring of parallel arrays
 * (event, data, sender, time), so keeping a message allocates nothing once
 * the ring is full. Offsets are implied: the newest kept message has the
 * channel's latest offset. Internal.
 *
 * @module
 */

import type { MissedMessage } from "../protocol/mod.ts";

/** The last `capacity` messages of a channel. */
export class History {
  #capacity: number;
  #events: string[] = [];
  #data: unknown[] = [];
  #senders: (string | null)[] = [];
  #times: number[] = [];
  /** Index of the oldest kept message. */
  #start = 0;
  #count = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** How many messages are kept. */
  get size(): number {
    return this.#count;
  }

  /** When the newest kept message was added, or `undefined` when none is. */
  get newestTime(): number | undefined {
    if (this.#count === 0) return undefined;
    const length = this.#times.length;
    return this.#times[(this.#start + this.#count - 1) % length];
  }

  /** Keeps a message, dropping the oldest past the capacity. */
  push(event: string, data: unknown, sender: string | null, time: number) {
    if (this.#capacity <= 0) return;
    const length = this.#events.length;
    let index: number;
    if (this.#count < length) {
      index = (this.#start + this.#count) % length;
      this.#count++;
    } else if (length < this.#capacity) {
      if (this.#start !== 0) this.#straighten();
      index = length;
      this.#count++;
    } else {
      // Full: overwrite the oldest.
      index = this.#start;
      this.#start = (this.#start + 1) % length;
    }
    this.#events[index] = event;
    this.#data[index] = data;
    this.#senders[index] = sender;
    this.#times[index] = time;
  }

  /** Forgets the messages added at or before `time`. */
  expire(time: number): void {
    const length = this.#events.length;
    while (this.#count > 0 && this.#times[this.#start] <= time) {
      this.#data[this.#start] = undefined; // let the payload go
      this.#start = (this.#start + 1) % length;
      this.#count--;
    }
    if (this.#count === 0) this.#start = 0;
  }

  /**
   * The kept messages after offset `since`, given the newest one's offset
   * `latest`; `undefined` when some of them are no longer kept.
   */
  after(since: number, latest: number): MissedMessage[] | undefined {
    const wanted = latest - since;
    if (wanted > this.#count) return undefined;
    const length = this.#events.length;
    const missed: MissedMessage[] = [];
    for (let i = this.#count - wanted; i < this.#count; i++) {
      const index = (this.#start + i) % length;
      const data = this.#data[index];
      const offset = latest - this.#count + 1 + i;
      const event = this.#events[index];
      const sender = this.#senders[index];
      missed.push(
        data === undefined
          ? { offset, event, sender }
          : { offset, event, data, sender },
      );
    }
    return missed;
  }

  /** Rotates the arrays so the oldest message is at index 0 (rare: growing after wrapping). */
  #straighten(): void {
    const rotate = <T>(array: T[]): T[] => [
      ...array.slice(this.#start),
      ...array.slice(0, this.#start),
    ];
    this.#events = rotate(this.#events);
    this.#data = rotate(this.#data);
    this.#senders = rotate(this.#senders);
    this.#times = rotate(this.#times);
    this.#start = 0;
  }
}

/**
 * One channel's delivery order on this node. Messages reach a node two
 * ways, its own appends' replies and the other nodes' pub/sub messages,
 * over two connections, so they can arrive out of offset order; offsets
 * are consecutive within an epoch, so this puts them back in order: each
 * offset goes out once, after the one before it. A store answer that
 * stands at an offset (a join, a history read, an own append) is given to
 * the relay at its place, so the relay acts on it before the next message
 * goes out. A gap that stays open for `gapTimeout` ms (a pub/sub message
 * lost) is skipped: the clients see the gap and recover it from history.
 * Internal.
 *
 * @module
 */

import type { Clock, TimerId } from "../../core/clock.ts";

/** A remote message to hand to the relay, or a store answer to settle. */
export type Arrival =
  | {
    readonly event: string;
    readonly data: unknown;
    readonly sender: string | null;
  }
  | { readonly settle: () => void };

/**
 * Promise hops the relay may take from a store answer to acting on it
 * (the app-wide welcome takes three): the next delivery waits for them.
 */
const HOPS = 4;

/** One channel's order on this node. */
export class ChannelOrder {
  /** The epoch of `next`; `undefined` until the node's place is known. */
  #epoch: string | undefined;
  #next = 0;
  #held = new Map<number, Arrival>();
  /** Answers that stand at an offset not yet delivered. */
  #waiting: { offset: number; settle: () => void }[] = [];
  /** What arrived before the node's place was known. */
  #early: { epoch: string; offset: number; arrival: Arrival }[] = [];
  #deliver: (offset: number, arrival: Arrival) => void;
  #clock: Clock;
  #gapTimeout: number;
  #gapTimer: TimerId | undefined;
  #draining = false;
  #closed = false;

  constructor(
    deliver: (offset: number, event: Arrival) => void,
    clock: Clock,
    gapTimeout: number,
  ) {
    this.#deliver = deliver;
    this.#clock = clock;
    this.#gapTimeout = gapTimeout;
  }

  /** The epoch delivered here, once the node's place is known. */
  get epoch(): string | undefined {
    return this.#epoch;
  }

  /** The next offset to go out. */
  get next(): number {
    return this.#next;
  }

  /** The node's place is known: offsets after `offset` of `epoch` go out. */
  start(epoch: string, offset: number): void {
    if (this.#epoch === undefined) {
      this.#epoch = epoch;
      this.#next = offset + 1;
    }
    const early = this.#early;
    this.#early = [];
    for (const e of early) this.arrive(e.epoch, e.offset, e.arrival);
    this.#drain();
  }

  /** A message (or an own append's answer) at `offset` of `epoch`. */
  arrive(epoch: string, offset: number, arrival: Arrival): void {
    if (this.#closed) return void ("settle" in arrival && arrival.settle());
    if (this.#epoch === undefined) {
      this.#early.push({ epoch, offset, arrival });
      return;
    }
    if (epoch !== this.#epoch) {
      // A new life of the channel (its history was lost): start over there.
      for (const held of this.#held.values()) {
        if ("settle" in held) held.settle();
      }
      this.#held.clear();
      this.#epoch = epoch;
      this.#next = offset;
    }
    if (offset < this.#next || this.#held.has(offset)) {
      if ("settle" in arrival) arrival.settle();
      return;
    }
    this.#held.set(offset, arrival);
    this.#drain();
  }

  /** Settles an answer that stands at `offset` of `epoch` once it is reached. */
  at(epoch: string, offset: number, settle: () => void): void {
    if (
      this.#closed || (this.#epoch !== undefined &&
        (epoch !== this.#epoch || offset < this.#next))
    ) return settle();
    this.#waiting.push({ offset, settle });
    this.#drain();
  }

  /** Settles everything held; nothing more goes out. */
  close(): void {
    this.#closed = true;
    if (this.#gapTimer !== undefined) this.#clock.clearTimeout(this.#gapTimer);
    for (const held of this.#held.values()) {
      if ("settle" in held) held.settle();
    }
    for (const early of this.#early) {
      if ("settle" in early.arrival) early.arrival.settle();
    }
    for (const waiting of this.#waiting) waiting.settle();
    this.#held.clear();
    this.#early = [];
    this.#waiting = [];
  }

  #drain(): void {
    if (this.#draining || this.#epoch === undefined) return;
    this.#draining = true;
    for (;;) {
      if (this.#closed) break;
      if (this.#settleWaiting()) return this.#pause();
      const arrival = this.#held.get(this.#next);
      if (arrival === undefined) break;
      this.#held.delete(this.#next);
      const offset = this.#next++;
      if ("settle" in arrival) {
        arrival.settle();
        return this.#pause();
      }
      this.#deliver(offset, arrival);
    }
    this.#draining = false;
    this.#watchGap();
  }

  /** Settles the answers standing before `next`; answers whether any was. */
  #settleWaiting(): boolean {
    if (this.#waiting.length === 0) return false;
    const due = this.#waiting.filter((w) => w.offset < this.#next);
    if (due.length === 0) return false;
    this.#waiting = this.#waiting.filter((w) => w.offset >= this.#next);
    for (const w of due) w.settle();
    return true;
  }

  /** Lets the relay act on what was settled before the next delivery. */
  #pause(): void {
    let hop: Promise<void> = Promise.resolve();
    for (let i = 1; i < HOPS; i++) hop = hop.then();
    hop.then(() => {
      this.#draining = false;
      this.#drain();
    });
  }

  #watchGap(): void {
    if (this.#held.size === 0) {
      if (this.#gapTimer !== undefined) {
        this.#clock.clearTimeout(this.#gapTimer);
        this.#gapTimer = undefined;
      }
      return;
    }
    if (this.#gapTimer !== undefined) return;
    this.#gapTimer = this.#clock.setTimeout(() => {
      this.#gapTimer = undefined;
      if (this.#held.size === 0 || this.#held.has(this.#next)) return;
      this.#next = Math.min(...this.#held.keys());
      this.#drain();
    }, this.#gapTimeout);
  }
}

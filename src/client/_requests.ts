/**
 * Requests to the relay and their acknowledgements: the `ref` each one is
 * sent with, the ack that settles it, the timeout that gives up on it, and
 * the ordered queue where requests wait while the connection is not ready.
 * Internal to the client layer.
 *
 * What a request does when it leaves the queue, and how its answer is read,
 * belongs to whoever built it (the channel state for joins and leaves, the
 * manager for the rest); this part only moves requests along.
 *
 * @module
 */

import { byteLength } from "../core/byte_length.ts";
import type { Clock, TimerId } from "../core/clock.ts";
import type { ClientFrame, HelloFrame, RelayLimits } from "../protocol/mod.ts";
import { RealtimeError } from "./realtime_error.ts";

type WithoutRef<F> = F extends unknown ? Omit<F, "ref"> : never;

/**
 * A protocol frame that wants an acknowledgement, as the client builds it:
 * every client frame but `hello`, without its `ref`, which is spliced in
 * when it is sent.
 */
export type RequestFrame = WithoutRef<Exclude<ClientFrame, HelloFrame>>;

/** A request to the relay, from the call that made it to its ack. */
export interface Request {
  /** The frame, without `ref`. */
  readonly frame: RequestFrame;
  /** The frame's JSON, encoded once. */
  readonly body: string;
  /** Sends it, or settles it at once: called when it may go out. */
  start(): void;
  /** Answers it: `error` is `null` when the relay acknowledged it. */
  settle(error: RealtimeError | null, data: unknown): void;
  /** Fails it while it waits in the queue; nothing was sent. */
  reject(error: RealtimeError): void;
  /**
   * What waits again, first in line, when the connection drops while this
   * request is in flight.
   */
  requeue(): Request[];
  /** Called each time it enters the queue. */
  queued?(): void;
}

/** What {@linkcode Requests} needs from its owner. */
export interface RequestsOptions {
  clock: Clock;
  /** Milliseconds to wait for an ack once a request is sent. */
  ackTimeout: number;
  /** The most requests that may wait in the queue. */
  maxQueued: number;
  /** Sends a frame's text on the socket. */
  transmit(text: string): void;
}

interface Flight {
  request: Request;
  /** When it times out, on the clock. */
  deadline: number;
}

// Room for `"ref":<up to 16 digits>,` when the ref is spliced into a body.
const REF_OVERHEAD = 24;

/** The requests in flight, by `ref`, and those waiting for the connection. */
export class Requests {
  #clock: Clock;
  #ackTimeout: number;
  #maxQueued: number;
  #transmit: (text: string) => void;
  #ref = 0;
  /** In the order sent, which is also the order of their deadlines. */
  #inflight: Map<number, Flight> = new Map();
  /** The one timer of the ack timeouts, for the first request in flight. */
  #timer: TimerId | undefined;
  #queue: Request[] = [];
  #limits: RelayLimits | undefined;

  constructor(options: RequestsOptions) {
    this.#clock = options.clock;
    this.#ackTimeout = options.ackTimeout;
    this.#maxQueued = options.maxQueued;
    this.#transmit = options.transmit;
  }

  /** The limits the relay announced in its latest welcome. */
  get limits(): RelayLimits | undefined {
    return this.#limits;
  }

  set limits(limits: RelayLimits | undefined) {
    this.#limits = limits;
  }

  /** A fresh `ref`, for a frame sent outside the queue (the hello). */
  nextRef(): number {
    return ++this.#ref;
  }

  /**
   * A request that is sent when it starts and settled by `settle`, whatever
   * ended it.
   */
  create(
    frame: RequestFrame,
    settle: (error: RealtimeError | null, data: unknown) => void,
  ): Request {
    const request: Request = {
      frame,
      body: JSON.stringify(frame),
      start: () => this.send(request),
      settle,
      reject: (error) => settle(error, undefined),
      requeue: () => [request],
    };
    return request;
  }

  /** Puts `request` at the back of the queue; an error when it is full. */
  enqueue(request: Request): RealtimeError | undefined {
    if (this.#queue.length >= this.#maxQueued) {
      return new RealtimeError(
        "buffer_full",
        `${this.#queue.length} requests already wait for the connection`,
      );
    }
    this.#queue.push(request);
    request.queued?.();
  }

  /** Sends `request` with a fresh `ref`, and starts its ack timeout. */
  send(request: Request): void {
    const size = byteLength(request.body) + REF_OVERHEAD;
    if (this.#limits && size > this.#limits.frameBytes) {
      request.settle(
        new RealtimeError(
          "too_large",
          `The frame is ${size} bytes; the relay accepts ${this.#limits.frameBytes}`,
        ),
        undefined,
      );
      return;
    }
    const ref = ++this.#ref;
    const deadline = this.#clock.now() + this.#ackTimeout;
    this.#inflight.set(ref, { request, deadline });
    // One timer for them all, not one per request: it is armed for the
    // first in flight, and re-armed for the next when it fires.
    this.#timer ??= this.#clock.setTimeout(
      () => this.#expire(),
      this.#ackTimeout,
    );
    // A send refused by a closing socket is sent again after the reconnect:
    // the drop that refused it requeues everything in flight.
    this.#transmit(`{"ref":${ref},${request.body.slice(1)}`);
  }

  /**
   * Settles the request sent with `ref`; `false` when none is in flight
   * under it (answered already, timed out, or from an older connection).
   */
  answer(ref: number, error: RealtimeError | null, data: unknown): boolean {
    const flight = this.#inflight.get(ref);
    if (!flight) return false;
    this.#inflight.delete(ref);
    if (this.#inflight.size === 0) this.#stopTimer();
    flight.request.settle(error, data);
    return true;
  }

  /** Times out the requests past their deadline, then waits for the next. */
  #expire(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    const expired: Request[] = [];
    for (const [ref, { request, deadline }] of this.#inflight) {
      if (deadline > now) break;
      this.#inflight.delete(ref);
      expired.push(request);
    }
    const next = this.#inflight.values().next();
    if (!next.done) {
      this.#timer = this.#clock.setTimeout(
        () => this.#expire(),
        next.value.deadline - now,
      );
    }
    // Settled last: what they start (a new request) finds the timer set.
    for (const request of expired) {
      request.settle(
        new RealtimeError(
          "timeout",
          `The relay did not answer within ${this.#ackTimeout} ms`,
        ),
        undefined,
      );
    }
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** How many requests wait in the queue. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Starts the queued requests, oldest first, while `ready()` holds. */
  flush(ready: () => boolean): void {
    while (ready() && this.#queue.length > 0) this.#queue.shift()!.start();
  }

  /**
   * The connection is gone: what was in flight waits again, first in line,
   * to be sent again (publishes with their `mid`) once it is back.
   */
  drop(): void {
    const requeued: Request[] = [];
    for (const { request } of this.#inflight.values()) {
      requeued.push(...request.requeue());
    }
    this.#inflight.clear();
    this.#stopTimer();
    this.#queue.unshift(...requeued);
    for (const request of requeued) request.queued?.();
  }

  /** Rejects every queued request with `error`. */
  failQueued(error: RealtimeError): void {
    for (const request of this.#queue.splice(0)) request.reject(error);
  }
}

/**
 * What every part of a relay shares: its resolved options, the clock, the
 * store, the fan-out, the counters and the error reporter. Internal.
 *
 * @module
 */

import { isThenable } from "../core/_thenable.ts";
import type { Clock } from "../core/clock.ts";
import type { Heartbeat, RelayLimits } from "../protocol/mod.ts";
import type { Fanout } from "./fanout.ts";
import type { Log } from "../core/_log.ts";
import { PONG } from "../protocol/mod.ts";
import { Histogram, LATENCY_BUCKETS } from "./metrics.ts";
import type { RelayStore } from "./store.ts";
import type { RelayStats } from "./stats.ts";

/** The relay's counters; `stats()` copies them. */
export class Counters {
  messagesIn = 0;
  messagesOut = 0;
  drops = 0;
  badFrames = 0;
  rateLimited = 0;
  duplicates = 0;
  slowConsumers = 0;
  resumes = 0;
  takeovers = 0;
  /** Frames received, by type (`ping` included; undecodable ones not). */
  framesIn: Record<string, number> = {};
  /** Frames sent, by type; see {@linkcode Counters.sent}. */
  framesOut: FramesOut = {
    welcome: 0,
    ack: 0,
    msg: 0,
    presence: 0,
    error: 0,
    bye: 0,
    user: 0,
    pong: 0,
  };
  /** Error codes sent (in an `error` frame or an error `ack`), by code. */
  errors: Record<string, number> = {};
  /** Publish-to-delivery times. */
  latency: Histogram = new Histogram(LATENCY_BUCKETS);

  /**
   * Counts `n` sends of the frame `text`. Every relay frame is encoded with
   * its `type` first (`{"type":"msg",…`; a test holds the builders to it),
   * and the types' first letters differ, so one character says which it is:
   * no parsing and no allocation on the fan-out path.
   */
  sent(text: string, n: number): void {
    this.messagesOut += n;
    const out = this.framesOut;
    if (text === PONG) {
      out.pong += n;
      return;
    }
    switch (text.charCodeAt(TYPE_AT)) {
      case 109: // m
        out.msg += n;
        return;
      case 112: // p
      case 100: // d: a presence diff counts as presence
        out.presence += n;
        return;
      case 97: // a
        out.ack += n;
        return;
      case 119: // w
        out.welcome += n;
        return;
      case 101: // e
        out.error += n;
        return;
      case 98: // b
        out.bye += n;
        return;
      case 117: // u
        out.user += n;
        return;
    }
  }

  /** Counts an error code sent to a client. */
  error(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }
}

/** Frames sent, by relay frame type, and `pong`: what `Relay.stats` reports. */
type FramesOut = RelayStats["framesOut"];

// Where the type's first letter is in `{"type":"…`.
const TYPE_AT = 9;

/** The options every part reads, checked and with their defaults. */
export interface Settings {
  readonly limits: RelayLimits;
  readonly heartbeat: Heartbeat;
  readonly badFrameLimit: number;
  readonly badFrameWindow: number;
  readonly rateRefusalLimit: number;
  readonly helloTimeout: number;
  readonly closeLinger: number;
  readonly resumeWindow: number;
  readonly presenceGrace: number;
  readonly restartHint: number;
  readonly maxBufferedBytes: number;
  readonly softBufferedBytes: number;
  readonly slowConsumerTimeout: number;
  readonly idleTimeout: number;
  readonly maxConnectionsPerUser: number;
  /** The most members a join ack lists (`joinMembers`). */
  readonly joinMembers: number;
  /** The presence batch window of big channels, in ms (`presenceBatch`). */
  readonly presenceBatch: number;
  /** The `presence` option: which channels have presence (absent: all). */
  readonly presence: ((channel: string) => boolean) | undefined;
}

/** The relay's shared services; one per relay. */
export interface Context {
  readonly settings: Settings;
  readonly clock: Clock;
  readonly store: RelayStore;
  readonly fanout: Fanout | undefined;
  readonly counters: Counters;
  /** Where notable events are logged; undefined without a `logger`. */
  readonly log: Log | undefined;
  /** Tells `onError`; never throws. */
  report(error: unknown): void;
  /** Whether the relay is closed or closing down. */
  closed: boolean;
}

/**
 * Lets a store answer settle in the background: nothing waits for it, but a
 * rejection is reported. A synchronous answer costs nothing.
 */
export function background(context: Context, answer: unknown): void {
  if (isThenable(answer)) {
    Promise.resolve(answer).then(undefined, (error) => context.report(error));
  }
}

/** The context of a relay over `settings`, reporting errors to `onError`. */
export function createContext(
  settings: Settings,
  clock: Clock,
  store: RelayStore,
  fanout: Fanout | undefined,
  counters: Counters,
  onError: ((error: unknown) => void) | undefined,
  log?: Log,
): Context {
  return {
    settings,
    clock,
    store,
    fanout,
    counters,
    log,
    report(error: unknown): void {
      try {
        onError?.(error);
      } catch {
        // The error reporter failed too; there is nobody left to tell.
      }
    },
    closed: false,
  };
}

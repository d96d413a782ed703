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
import type { RelayStore } from "./store.ts";

/** The relay's counters; `stats()` copies them. */
export class Counters {
  messagesIn = 0;
  messagesOut = 0;
  drops = 0;
  badFrames = 0;
  rateLimited = 0;
  duplicates = 0;
  slowConsumers = 0;
}

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
}

/** The relay's shared services; one per relay. */
export interface Context {
  readonly settings: Settings;
  readonly clock: Clock;
  readonly store: RelayStore;
  readonly fanout: Fanout | undefined;
  readonly counters: Counters;
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
): Context {
  return {
    settings,
    clock,
    store,
    fanout,
    counters,
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

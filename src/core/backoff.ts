/**
 * Reconnection delays: how long to wait before each attempt. A
 * {@linkcode Backoff} is a stateful sequence of delays in milliseconds that
 * {@linkcode Backoff.reset} rewinds once a connection succeeds.
 *
 * - {@linkcode ConstantBackoff}: the same delay every time.
 * - {@linkcode LinearBackoff}: grows by a fixed increment up to a maximum.
 * - {@linkcode BinaryExponentialBackoff}: doubles a limited number of times.
 * - {@linkcode ExponentialBackoff}: grows by a factor up to a maximum, with
 *   jitter so that a crowd of clients does not reconnect in lockstep. The
 *   socket's default.
 *
 * @module
 */

import {
  checkFunction,
  checkKeys,
  checkNumber,
  checkOneOf,
  type NumberRange,
  optionMessage,
} from "./_options.ts";

/** A delay in milliseconds: non-negative and finite. */
const DELAY: NumberRange = { min: 0, finite: true };

/**
 * A sequence of delays between connection attempts.
 *
 * @example Writing a custom backoff
 * ```ts
 * import type { Backoff } from "@lifeline/realtime/backoff";
 * import assert from "node:assert/strict";
 *
 * class Fibonacci implements Backoff {
 *   #a = 0;
 *   #b = 1000;
 *   next(): number {
 *     const delay = this.#a;
 *     [this.#a, this.#b] = [this.#b, this.#a + this.#b];
 *     return delay;
 *   }
 *   reset(): void {
 *     this.#a = 0;
 *     this.#b = 1000;
 *   }
 * }
 *
 * const backoff: Backoff = new Fibonacci();
 * assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [0, 1000, 1000]);
 * ```
 */
export interface Backoff {
  /** Returns the delay in milliseconds before the next attempt and advances. */
  next(): number;
  /** Rewinds the sequence to its first delay. */
  reset(): void;
}

/**
 * The same delay before every attempt.
 *
 * @example Waiting one second every time
 * ```ts
 * import { ConstantBackoff } from "@lifeline/realtime/backoff";
 * import assert from "node:assert/strict";
 *
 * const backoff = new ConstantBackoff(1000);
 * assert.deepEqual([backoff.next(), backoff.next()], [1000, 1000]);
 * ```
 */
export class ConstantBackoff implements Backoff {
  #delay: number;

  /**
   * Creates a backoff that always returns `delay`.
   *
   * @param delay The delay in milliseconds; a non-negative finite number.
   */
  constructor(delay: number) {
    this.#delay = checkNumber("ConstantBackoff", "delay", delay, DELAY);
  }

  /** Returns the constant delay in milliseconds. */
  next(): number {
    return this.#delay;
  }

  /** Does nothing: a constant sequence has no state. */
  reset(): void {}
}

/**
 * Options for {@linkcode LinearBackoff}. All values are milliseconds; the
 * defaults give 0, 1, 2, 3… seconds without a cap.
 *
 * @example Starting at half a second, capped at two
 * ```ts
 * import { LinearBackoff, type LinearBackoffOptions } from "@lifeline/realtime/backoff";
 * import assert from "node:assert/strict";
 *
 * const options: LinearBackoffOptions = { initial: 500, increment: 500, maximum: 2000 };
 * const backoff = new LinearBackoff(options);
 * const delays = Array.from({ length: 5 }, () => backoff.next());
 * assert.deepEqual(delays, [500, 1000, 1500, 2000, 2000]);
 * ```
 */
export interface LinearBackoffOptions {
  /**
   * The first delay.
   * @default {0}
   */
  initial?: number;
  /**
   * Added to the delay after each attempt.
   * @default {1000}
   */
  increment?: number;
  /**
   * The largest delay; at least `initial`.
   * @default {Infinity}
   */
  maximum?: number;
}

/**
 * A delay that grows by `increment` after each attempt, up to `maximum`.
 *
 * @example Growing by a second up to five
 * ```ts
 * import { LinearBackoff } from "@lifeline/realtime/backoff";
 * import assert from "node:assert/strict";
 *
 * const backoff = new LinearBackoff({ initial: 0, increment: 1000, maximum: 5000 });
 * const delays = Array.from({ length: 7 }, () => backoff.next());
 * assert.deepEqual(delays, [0, 1000, 2000, 3000, 4000, 5000, 5000]);
 * ```
 */
export class LinearBackoff implements Backoff {
  #initial: number;
  #increment: number;
  #maximum: number;
  #current: number;

  /**
   * Creates a linear backoff starting at `initial`.
   *
   * @param options The delays; see {@linkcode LinearBackoffOptions}.
   */
  constructor(options: LinearBackoffOptions = {}) {
    const owner = "LinearBackoff";
    checkKeys(owner, options, ["initial", "increment", "maximum"]);
    const { initial = 0, increment = 1000, maximum = Infinity } = options;
    this.#initial = checkNumber(owner, "initial", initial, DELAY);
    this.#increment = checkNumber(owner, "increment", increment, DELAY);
    this.#maximum = checkNumber(owner, "maximum", maximum, { min: initial });
    this.#current = this.#initial;
  }

  /** Returns the current delay in milliseconds and advances by `increment`. */
  next(): number {
    const delay = this.#current;
    // min() keeps the value at the cap, so it can never overflow.
    this.#current = Math.min(this.#maximum, delay + this.#increment);
    return delay;
  }

  /** Rewinds to `initial`. */
  reset(): void {
    this.#current = this.#initial;
  }
}

/**
 * Options for {@linkcode BinaryExponentialBackoff}. The defaults give 1, 2, 4,
 * 8, 16 and then 32 seconds.
 *
 * @example Doubling from 100 ms, four distinct delays
 * ```ts
 * import {
 *   BinaryExponentialBackoff,
 *   type BinaryExponentialBackoffOptions,
 * } from "@lifeline/realtime/backoff";
 * import assert from "node:assert/strict";
 *
 * const options: BinaryExponentialBackoffOptions = { initial: 100, maximumStep: 4 };
 * const backoff = new BinaryExponentialBackoff(options);
 * const delays = Array.from({ length: 5 }, () => backoff.next());
 * assert.deepEqual(delays, [100, 200, 400, 800, 800]);
 * ```
 */
export interface BinaryExponentialBackoffOptions {
  /**
   * The first delay in milliseconds.
   * @default {1000}
   */
  initial?: number;
  /**
   * How many distinct delays the sequence has: the delay doubles
   * `maximumStep - 1` times and then stays. The default gives 1, 2, 4, 8, 16
   * and 32 seconds.
   * @default {6}
   */
  maximumStep?: number;
}

/**
 * A delay that doubles after each attempt, `maximumStep - 1` times:
 * `initial * 2 ** min(attempt, maximumStep - 1)`.
 *
 * @example Doubling twice
 * ```ts
 * import { BinaryExponentialBackoff } from "@lifeline/realtime/backoff";
 * import assert from "node:assert/strict";
 *
 * const backoff = new BinaryExponentialBackoff({ initial: 1000, maximumStep: 3 });
 * const delays = Array.from({ length: 4 }, () => backoff.next());
 * assert.deepEqual(delays, [1000, 2000, 4000, 4000]);
 * ```
 */
export class BinaryExponentialBackoff implements Backoff {
  #initial: number;
  #maximumStep: number;
  #step = 0;

  /**
   * Creates a doubling backoff starting at `initial`.
   *
   * @param options The delays; see {@linkcode BinaryExponentialBackoffOptions}.
   */
  constructor(options: BinaryExponentialBackoffOptions = {}) {
    const owner = "BinaryExponentialBackoff";
    checkKeys(owner, options, ["initial", "maximumStep"]);
    const { initial = 1000, maximumStep = 6 } = options;
    this.#initial = checkNumber(owner, "initial", initial, DELAY);
    this.#maximumStep = checkNumber(owner, "maximumStep", maximumStep, {
      positive: true,
      integer: true,
    });
    if (!Number.isFinite(this.#initial * 2 ** (maximumStep - 1))) {
      const must = "keep the largest delay finite";
      throw new RangeError(
        optionMessage(owner, "maximumStep", must, maximumStep),
      );
    }
  }

  /** Returns the current delay in milliseconds and doubles it, up to the cap. */
  next(): number {
    const delay = this.#initial * 2 ** this.#step;
    if (this.#step < this.#maximumStep - 1) this.#step++;
    return delay;
  }

  /** Rewinds to `initial`. */
  reset(): void {
    this.#step = 0;
  }
}

/**
 * How {@linkcode ExponentialBackoff} randomizes each delay `base`:
 *
 * - `"none"`: exactly `base`.
 * - `"full"`: uniformly in `[0, base)`; spreads a crowd of clients the most.
 * - `"equal"`: uniformly in `[base / 2, base)`; never much shorter than `base`.
 *
 * @example Equal jitter keeps at least half of each delay
 * ```ts
 * import { ExponentialBackoff, type Jitter } from "@lifeline/realtime/backoff";
 * import assert from "node:assert/strict";
 *
 * const jitter: Jitter = "equal";
 * const backoff = new ExponentialBackoff({ initial: 1000, jitter, random: () => 0 });
 * assert.deepEqual([backoff.next(), backoff.next()], [500, 1000]);
 * ```
 */
export type Jitter = "none" | "full" | "equal";

const JITTERS: readonly Jitter[] = ["none", "full", "equal"];

const EXPONENTIAL_KEYS = ["initial", "factor", "maximum", "jitter", "random"];

// Other libraries' names (std's retry, exponential-backoff, partysocket).
const ALIASES = {
  aliases: {
    minDelay: "initial",
    initialDelay: "initial",
    startingDelay: "initial",
    maxDelay: "maximum",
    multiplier: "factor",
    timeMultiple: "factor",
  },
};

/**
 * Options for {@linkcode ExponentialBackoff}. Delays are milliseconds; the
 * defaults start at 500 ms, double up to 30 s and use full jitter.
 *
 * @example Tripling from 200 ms up to 5 s, with a fixed random for tests
 * ```ts
 * import {
 *   ExponentialBackoff,
 *   type ExponentialBackoffOptions,
 * } from "@lifeline/realtime/backoff";
 * import assert from "node:assert/strict";
 *
 * const options: ExponentialBackoffOptions = {
 *   initial: 200,
 *   factor: 3,
 *   maximum: 5000,
 *   jitter: "full",
 *   random: () => 0.5,
 * };
 * const backoff = new ExponentialBackoff(options);
 * const delays = Array.from({ length: 5 }, () => backoff.next());
 * assert.deepEqual(delays, [100, 300, 900, 2500, 2500]);
 * ```
 */
export interface ExponentialBackoffOptions {
  /**
   * The first base delay.
   * @default {500}
   */
  initial?: number;
  /**
   * What the base delay is multiplied by after each attempt; at least 1.
   * @default {2}
   */
  factor?: number;
  /**
   * The largest base delay; finite and at least `initial`.
   * @default {30000}
   */
  maximum?: number;
  /**
   * How each delay is randomized; see {@linkcode Jitter}.
   * @default {"full"}
   */
  jitter?: Jitter;
  /**
   * The source of randomness: returns a number in `[0, 1)`.
   * @default {Math.random}
   */
  random?: () => number;
}

/**
 * A delay that grows by `factor` after each attempt up to `maximum`, with
 * jitter: the base delay is `min(maximum, initial * factor ** attempt)` and
 * {@linkcode Jitter} decides how much of it is used. Full jitter by default,
 * so that when a server restarts its clients come back spread out rather than
 * all at once.
 *
 * @example Without jitter
 * ```ts
 * import { ExponentialBackoff } from "@lifeline/realtime/backoff";
 * import assert from "node:assert/strict";
 *
 * const backoff = new ExponentialBackoff({ initial: 500, maximum: 3000, jitter: "none" });
 * const delays = Array.from({ length: 5 }, () => backoff.next());
 * assert.deepEqual(delays, [500, 1000, 2000, 3000, 3000]);
 * ```
 *
 * @example With full jitter and an injected random
 * ```ts
 * import { ExponentialBackoff } from "@lifeline/realtime/backoff";
 * import assert from "node:assert/strict";
 *
 * const backoff = new ExponentialBackoff({ initial: 1000, random: () => 0.5 });
 * assert.deepEqual([backoff.next(), backoff.next()], [500, 1000]);
 * ```
 */
export class ExponentialBackoff implements Backoff {
  #initial: number;
  #factor: number;
  #maximum: number;
  #jitter: Jitter;
  #random: () => number;
  #base: number;

  /**
   * Creates a jittered exponential backoff starting at `initial`.
   *
   * @param options The delays; see {@linkcode ExponentialBackoffOptions}.
   */
  constructor(options: ExponentialBackoffOptions = {}) {
    const owner = "ExponentialBackoff";
    checkKeys(owner, options, EXPONENTIAL_KEYS, ALIASES);
    const {
      initial = 500,
      factor = 2,
      maximum = 30_000,
      jitter = "full",
      random = Math.random,
    } = options;
    this.#initial = checkNumber(owner, "initial", initial, DELAY);
    // Non-negative and finite first, then the bound: each message names one rule.
    checkNumber(owner, "factor", factor, DELAY);
    this.#factor = checkNumber(owner, "factor", factor, { min: 1 });
    checkNumber(owner, "maximum", maximum, DELAY);
    this.#maximum = checkNumber(owner, "maximum", maximum, { min: initial });
    this.#jitter = checkOneOf(owner, "jitter", jitter, JITTERS);
    this.#random = checkFunction(owner, "random", random);
    this.#base = this.#initial;
  }

  /** Returns the next delay in milliseconds, jittered, and grows the base. */
  next(): number {
    const base = this.#base;
    // Growing the value rather than recomputing factor ** attempt keeps it
    // pinned at the finite maximum: no Infinity, and no 0 * Infinity = NaN.
    this.#base = Math.min(this.#maximum, base * this.#factor);
    switch (this.#jitter) {
      case "none":
        return base;
      case "full":
        return this.#random() * base;
      case "equal":
        return base / 2 + this.#random() * base / 2;
    }
  }

  /** Rewinds the base delay to `initial`. */
  reset(): void {
    this.#base = this.#initial;
  }
}

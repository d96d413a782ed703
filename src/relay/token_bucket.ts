/**
 * A token bucket: the relay's per-connection message rate limit.
 *
 * @module
 */

import { checkNumber } from "../core/_options.ts";

/**
 * Options for {@linkcode TokenBucket}.
 *
 * @example One event per second, starting at a given time
 * ```ts
 * import { TokenBucket, type TokenBucketOptions } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const options: TokenBucketOptions = { rate: 1, burst: 1, now: 1000 };
 * const bucket = new TokenBucket(options);
 * assert.equal(bucket.take(1000), true);
 * assert.equal(bucket.take(1500), false); // half a token so far
 * assert.equal(bucket.take(2000), true);
 * ```
 */
export interface TokenBucketOptions {
  /** Tokens added per second. Must be positive. */
  rate: number;
  /** Most tokens the bucket holds: the burst allowed at once. Must be at least 1. */
  burst: number;
  /** The time the bucket starts full at, in ms. @default 0 */
  now?: number;
}

/**
 * Allows `burst` events at once and `rate` per second sustained. It keeps no
 * timer: each {@linkcode TokenBucket.take} refills by the time elapsed since
 * the last one, so the caller passes the current time.
 *
 * @example Spending a burst
 * ```ts
 * import { TokenBucket } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const bucket = new TokenBucket({ rate: 10, burst: 2 });
 * assert.equal(bucket.take(0), true);
 * assert.equal(bucket.take(0), true);
 * assert.equal(bucket.take(0), false); // empty
 * assert.equal(bucket.take(100), true); // 100 ms at 10/s refilled one
 * ```
 */
export class TokenBucket {
  #rate: number;
  #burst: number;
  #tokens: number;
  #last: number;

  /** Makes a full bucket. */
  constructor(options: TokenBucketOptions) {
    const { rate, burst, now = 0 } = options;
    checkNumber("TokenBucket", "rate", rate, { positive: true });
    checkNumber("TokenBucket", "burst", burst, { min: 1 });
    this.#rate = rate / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = now;
  }

  /** The tokens available at the last take, possibly fractional. */
  get tokens(): number {
    return this.#tokens;
  }

  /** Takes one token at time `now` (ms); returns whether there was one. */
  take(now: number): boolean {
    if (now > this.#last) {
      this.#tokens = Math.min(
        this.#burst,
        this.#tokens + (now - this.#last) * this.#rate,
      );
      this.#last = now;
    }
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

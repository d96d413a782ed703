import assert from "node:assert/strict";
import { TokenBucket } from "../../src/relay/token_bucket.ts";

Deno.test("a bucket allows its burst at once, then its rate", () => {
  const bucket = new TokenBucket({ rate: 100, burst: 3, now: 1000 });
  assert.deepEqual([1, 2, 3, 4].map(() => bucket.take(1000)), [
    true,
    true,
    true,
    false,
  ]);
  assert.equal(bucket.take(1005), false); // half a token
  assert.equal(bucket.take(1010), true);
  assert.equal(bucket.take(1010), false);
});

Deno.test("a bucket never holds more than its burst", () => {
  const bucket = new TokenBucket({ rate: 1000, burst: 2 });
  assert.equal(bucket.take(1_000_000), true);
  assert.equal(bucket.tokens, 1);
  assert.equal(bucket.take(1_000_000), true);
  assert.equal(bucket.take(1_000_000), false);
});

Deno.test("time going backwards does not refill", () => {
  const bucket = new TokenBucket({ rate: 1, burst: 1, now: 5000 });
  assert.equal(bucket.take(5000), true);
  assert.equal(bucket.take(0), false);
});

Deno.test("a rate or burst out of range throws RangeError, a non-number TypeError", () => {
  assert.throws(
    () => new TokenBucket({ rate: 0, burst: 1 }),
    new RangeError(
      "Cannot create TokenBucket as 'rate' must be positive: current value is 0",
    ),
  );
  assert.throws(() => new TokenBucket({ rate: 1, burst: 0.5 }), RangeError);
  assert.throws(
    () => new TokenBucket({ rate: "5" as unknown as number, burst: 1 }),
    TypeError,
  );
});

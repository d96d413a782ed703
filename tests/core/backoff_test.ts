import assert from "node:assert/strict";
import {
  type Backoff,
  BinaryExponentialBackoff,
  ConstantBackoff,
  ExponentialBackoff,
  LinearBackoff,
} from "../../src/core/backoff.ts";

function take(backoff: Backoff, n: number): number[] {
  return Array.from({ length: n }, () => backoff.next());
}

Deno.test("ConstantBackoff returns the same delay every time", () => {
  assert.deepEqual(take(new ConstantBackoff(1000), 4), [
    1000,
    1000,
    1000,
    1000,
  ]);
});

Deno.test("ConstantBackoff reset changes nothing", () => {
  const backoff = new ConstantBackoff(250);
  backoff.next();
  backoff.reset();
  assert.equal(backoff.next(), 250);
});

Deno.test("ConstantBackoff rejects negative, infinite and non-number delays", () => {
  assert.throws(() => new ConstantBackoff(-1), {
    name: "RangeError",
    message:
      "Cannot create ConstantBackoff as 'delay' must be a non-negative finite number: current value is -1",
  });
  assert.throws(() => new ConstantBackoff(Infinity), RangeError);
  assert.throws(() => new ConstantBackoff(NaN), TypeError);
  assert.throws(() => new ConstantBackoff("5" as unknown as number), TypeError);
});

Deno.test("LinearBackoff grows by the increment up to the maximum", () => {
  const backoff = new LinearBackoff({
    initial: 0,
    increment: 1000,
    maximum: 5000,
  });
  assert.deepEqual(take(backoff, 8), [
    0,
    1000,
    2000,
    3000,
    4000,
    5000,
    5000,
    5000,
  ]);
});

Deno.test("LinearBackoff defaults to 0, 1000, 2000 without a cap", () => {
  const backoff = new LinearBackoff();
  assert.deepEqual(take(backoff, 3), [0, 1000, 2000]);
  for (let i = 0; i < 10_000; i++) backoff.next();
  assert.equal(backoff.next(), 10_003_000);
});

Deno.test("LinearBackoff caps a maximum that is not a multiple of the increment", () => {
  const backoff = new LinearBackoff({
    initial: 100,
    increment: 300,
    maximum: 800,
  });
  assert.deepEqual(take(backoff, 5), [100, 400, 700, 800, 800]);
});

Deno.test("LinearBackoff reset returns to the initial delay", () => {
  const backoff = new LinearBackoff({ initial: 500, increment: 500 });
  take(backoff, 5);
  backoff.reset();
  assert.deepEqual(take(backoff, 2), [500, 1000]);
});

Deno.test("LinearBackoff validates its options", () => {
  assert.throws(() => new LinearBackoff({ initial: -1 }), RangeError);
  assert.throws(() => new LinearBackoff({ increment: Infinity }), RangeError);
  assert.throws(() => new LinearBackoff({ initial: 2000, maximum: 1000 }), {
    name: "RangeError",
    message:
      "Cannot create LinearBackoff as 'maximum' must be at least 2000: current value is 1000",
  });
  assert.throws(
    () => new LinearBackoff({ maximum: "1" as unknown as number }),
    TypeError,
  );
});

Deno.test("BinaryExponentialBackoff doubles maximumStep - 1 times", () => {
  const backoff = new BinaryExponentialBackoff({
    initial: 1000,
    maximumStep: 3,
  });
  assert.deepEqual(take(backoff, 5), [1000, 2000, 4000, 4000, 4000]);
});

Deno.test("BinaryExponentialBackoff defaults to 1 s doubling up to 32 s", () => {
  const backoff = new BinaryExponentialBackoff();
  assert.deepEqual(take(backoff, 8), [
    1000,
    2000,
    4000,
    8000,
    16000,
    32000,
    32000,
    32000,
  ]);
});

Deno.test("BinaryExponentialBackoff with one step is constant", () => {
  const backoff = new BinaryExponentialBackoff({
    initial: 300,
    maximumStep: 1,
  });
  assert.deepEqual(take(backoff, 3), [300, 300, 300]);
});

Deno.test("BinaryExponentialBackoff reset returns to the initial delay", () => {
  const backoff = new BinaryExponentialBackoff({ initial: 100 });
  take(backoff, 4);
  backoff.reset();
  assert.deepEqual(take(backoff, 2), [100, 200]);
});

Deno.test("BinaryExponentialBackoff validates its options", () => {
  assert.throws(
    () => new BinaryExponentialBackoff({ maximumStep: 0 }),
    {
      name: "RangeError",
      message:
        "Cannot create BinaryExponentialBackoff as 'maximumStep' must be a positive integer: current value is 0",
    },
  );
  assert.throws(
    () => new BinaryExponentialBackoff({ maximumStep: 1.5 }),
    RangeError,
  );
  assert.throws(
    () => new BinaryExponentialBackoff({ maximumStep: 2000 }),
    RangeError,
  );
  assert.throws(
    () => new BinaryExponentialBackoff({ initial: -5 }),
    RangeError,
  );
  assert.throws(
    () => new BinaryExponentialBackoff({ maximumStep: NaN }),
    TypeError,
  );
});

Deno.test("ExponentialBackoff without jitter grows by the factor up to the maximum", () => {
  const backoff = new ExponentialBackoff({
    initial: 500,
    factor: 2,
    maximum: 30_000,
    jitter: "none",
  });
  assert.deepEqual(take(backoff, 9), [
    500,
    1000,
    2000,
    4000,
    8000,
    16000,
    30000,
    30000,
    30000,
  ]);
});

Deno.test("ExponentialBackoff honours a fractional factor", () => {
  const backoff = new ExponentialBackoff({
    initial: 1000,
    factor: 1.5,
    jitter: "none",
  });
  assert.deepEqual(take(backoff, 3), [1000, 1500, 2250]);
});

Deno.test("ExponentialBackoff uses full jitter by default", () => {
  const backoff = new ExponentialBackoff({ random: () => 0.5 });
  assert.deepEqual(take(backoff, 3), [250, 500, 1000]);
});

Deno.test("ExponentialBackoff full jitter stays within [0, base)", () => {
  for (const [r, expected] of [[0, 0], [0.5, 2000], [0.999999, 3999.996]]) {
    const backoff = new ExponentialBackoff({
      initial: 4000,
      jitter: "full",
      random: () => r,
    });
    const delay = backoff.next();
    assert.ok(Math.abs(delay - expected) < 1e-6, `${delay} for random ${r}`);
    assert.ok(delay >= 0 && delay < 4000);
  }
});

Deno.test("ExponentialBackoff equal jitter stays within [base / 2, base)", () => {
  for (const [r, expected] of [[0, 2000], [0.5, 3000], [0.999999, 3999.998]]) {
    const backoff = new ExponentialBackoff({
      initial: 4000,
      jitter: "equal",
      random: () => r,
    });
    const delay = backoff.next();
    assert.ok(Math.abs(delay - expected) < 1e-6, `${delay} for random ${r}`);
    assert.ok(delay >= 2000 && delay < 4000);
  }
});

Deno.test("ExponentialBackoff jitter never exceeds the maximum", () => {
  const backoff = new ExponentialBackoff({
    initial: 500,
    maximum: 3000,
    jitter: "equal",
    random: () => 0.999999,
  });
  for (const delay of take(backoff, 50)) assert.ok(delay < 3000);
});

Deno.test("ExponentialBackoff reset returns to the initial delay", () => {
  const backoff = new ExponentialBackoff({ initial: 100, jitter: "none" });
  take(backoff, 6);
  backoff.reset();
  assert.deepEqual(take(backoff, 2), [100, 200]);
});

Deno.test("ExponentialBackoff stays finite after 10 000 calls", () => {
  for (const initial of [0, 1, 500]) {
    for (const jitter of ["none", "full", "equal"] as const) {
      const backoff = new ExponentialBackoff({
        initial,
        factor: 10,
        maximum: 60_000,
        jitter,
        random: () => 0.5,
      });
      let last = 0;
      for (let i = 0; i < 10_000; i++) last = backoff.next();
      assert.ok(Number.isFinite(last), `${jitter} from ${initial}: ${last}`);
      assert.ok(last <= 60_000);
    }
  }
});

Deno.test("ExponentialBackoff validates its options", () => {
  assert.throws(() => new ExponentialBackoff({ factor: 0.5 }), {
    name: "RangeError",
    message:
      "Cannot create ExponentialBackoff as 'factor' must be at least 1: current value is 0.5",
  });
  assert.throws(() => new ExponentialBackoff({ factor: Infinity }), RangeError);
  assert.throws(
    () => new ExponentialBackoff({ maximum: Infinity }),
    RangeError,
  );
  assert.throws(
    () => new ExponentialBackoff({ initial: 1000, maximum: 10 }),
    RangeError,
  );
  assert.throws(() => new ExponentialBackoff({ initial: -1 }), RangeError);
  assert.throws(
    () => new ExponentialBackoff({ jitter: "half" as unknown as "full" }),
    TypeError,
  );
  assert.throws(
    () => new ExponentialBackoff({ random: 0.5 as unknown as () => number }),
    TypeError,
  );
});

Deno.test("the backoffs refuse an unknown option and suggest the nearest", () => {
  assert.throws(
    () => new LinearBackoff({ incremnt: 100 } as never),
    new TypeError(
      "Cannot create LinearBackoff as 'incremnt' is not an option: did you mean 'increment'?",
    ),
  );
  assert.throws(
    () => new BinaryExponentialBackoff({ maxStep: 3 } as never),
    new TypeError(
      "Cannot create BinaryExponentialBackoff as 'maxStep' is not an option: did you mean 'maximumStep'?",
    ),
  );
  assert.throws(
    () => new ExponentialBackoff({ max: 1000 } as never),
    /Cannot create ExponentialBackoff as 'max' is not an option/,
  );
  assert.throws(
    () => new ExponentialBackoff({ maxDelay: 1000 } as never),
    /'maxDelay' is not an option: did you mean 'maximum'\?/,
  );
});

Deno.test("the backoffs refuse options that are not an object", () => {
  assert.throws(
    () => new ExponentialBackoff(500 as never),
    new TypeError(
      "Cannot create ExponentialBackoff as 'options' must be an object: current value is 500",
    ),
  );
});

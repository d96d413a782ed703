import assert from "node:assert/strict";
import { harness } from "./_harness.ts";

Deno.test("invalid options throw RangeError naming the option", () => {
  using h = harness();
  assert.throws(
    () => harness({ limits: { frameBytes: -1 } }),
    /'limits.frameBytes' must be positive/,
  );
  assert.throws(() => harness({ badFrameLimit: 0 }), /'badFrameLimit'/);
  assert.throws(
    () => harness({ heartbeat: { interval: NaN } }),
    /'heartbeat.interval'/,
  );
  assert.throws(
    () => harness({ limits: { rate: 5, burst: 0.5 } }),
    /'limits.burst' must be at least 1: current value is 0.5/,
  );
  using off = harness({ limits: { rate: 0, burst: 0 } });
  assert.equal(off.relay.limits.burst, 0);
  assert.equal(h.relay.limits.frameBytes, 1024 * 1024);
});

Deno.test("an unknown relay option is a TypeError suggesting the nearest", () => {
  assert.throws(
    () => harness({ dedupe: 5 } as never),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        "Cannot create Relay as 'dedupe' is not an option: did you mean 'dedupeSize'?",
  );
});

Deno.test("relay options of the wrong type are TypeErrors naming them", () => {
  assert.throws(() => harness({ authorize: true } as never), /'authorize'/);
  assert.throws(() => harness({ sessionId: "s" } as never), /'sessionId'/);
  assert.throws(() => harness({ sweepTimer: 0 } as never), /'sweepTimer'/);
  assert.throws(
    () => harness({ store: { join() {} } } as never),
    (e: unknown) => e instanceof TypeError && /'store'/.test(e.message),
  );
  assert.throws(() => harness({ dedupeSize: -1 }), RangeError);
  assert.throws(() => harness({ historySize: -1 }), RangeError);
  assert.throws(() => harness({ historyTtl: -1 }), RangeError);
  assert.throws(() => harness({ presenceGrace: -1 }), /'presenceGrace'/);
  assert.throws(() => harness({ restartHint: -1 }), /'restartHint'/);
});

Deno.test("session ids come from the sessionId option", () => {
  let n = 0;
  using h = harness({ sessionId: () => `s${++n}` });
  const a = h.connect();
  const b = h.connect({ hello: false });
  assert.deepEqual([a.conn.id, b.conn.id], ["s1", "s2"]);
});

Deno.test("dedupeSize and resumableSessions configure the default store", () => {
  using h = harness({ resumableSessions: 1 });
  h.connect().conn.closed();
  h.connect().conn.closed();
  assert.equal(h.relay.stats().resumable, 1);
});

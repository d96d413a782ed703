import assert from "node:assert/strict";
import { createTestClock, type TestClock } from "../_fake_clock.ts";
import { type Request, Requests } from "../../src/client/_requests.ts";
import { RealtimeError } from "../../src/client/realtime_error.ts";
import { DEFAULT_LIMITS } from "../../src/protocol/mod.ts";

interface Setup {
  clock: TestClock;
  requests: Requests;
  sent: Record<string, unknown>[];
  results: string[];
  pub(n: number): Request;
}

function setup(maxQueued = 10): Setup {
  const clock = createTestClock();
  const sent: Record<string, unknown>[] = [];
  const results: string[] = [];
  const requests = new Requests({
    clock,
    ackTimeout: 1000,
    maxQueued,
    transmit: (text) => sent.push(JSON.parse(text)),
  });
  const pub = (n: number) =>
    requests.create(
      { type: "pub", channel: "a", event: "e", data: n, mid: String(n) },
      (error) => results.push(`${n} ${error?.code ?? "ok"}`),
    );
  return { clock, requests, sent, results, pub };
}

Deno.test("each request goes out with a fresh ref and settles on its ack", () => {
  const { requests, sent, results, pub } = setup();
  pub(1).start();
  pub(2).start();
  assert.deepEqual(sent.map((f) => [f.ref, f.data]), [[1, 1], [2, 2]]);
  assert.equal(requests.answer(2, null, undefined), true);
  assert.equal(requests.answer(2, null, undefined), false);
  assert.equal(
    requests.answer(1, new RealtimeError("forbidden", "no"), undefined),
    true,
  );
  assert.deepEqual(results, ["2 ok", "1 forbidden"]);
});

Deno.test("a request not answered within the ack timeout rejects, and a late ack is ignored", () => {
  const { clock, requests, results, pub } = setup();
  pub(1).start();
  clock.tick(999);
  assert.deepEqual(results, []);
  clock.tick(1);
  assert.deepEqual(results, ["1 timeout"]);
  assert.equal(requests.answer(1, null, undefined), false);
});

Deno.test("a frame over the relay's limit settles with too_large, unsent", () => {
  const { requests, sent, results } = setup();
  requests.limits = { ...DEFAULT_LIMITS, frameBytes: 100 };
  requests.create(
    { type: "pub", channel: "a", event: "e", data: "x".repeat(100) },
    (error) => results.push(error?.code ?? "ok"),
  ).start();
  assert.deepEqual(sent, []);
  assert.deepEqual(results, ["too_large"]);
});

Deno.test("the queue flushes oldest first, and rejects past maxQueued", () => {
  const { requests, sent, pub } = setup(2);
  assert.equal(requests.enqueue(pub(1)), undefined);
  assert.equal(requests.enqueue(pub(2)), undefined);
  assert.equal(requests.enqueue(pub(3))?.code, "buffer_full");
  requests.flush(() => true);
  assert.deepEqual(sent.map((f) => f.data), [1, 2]);
});

Deno.test("flush stops as soon as the connection is no longer ready", () => {
  const { requests, sent, pub } = setup();
  for (const n of [1, 2, 3]) requests.enqueue(pub(n));
  let ready = 2;
  requests.flush(() => ready-- > 0);
  assert.deepEqual(sent.map((f) => f.data), [1, 2]);
  requests.flush(() => true);
  assert.deepEqual(sent.map((f) => f.data), [1, 2, 3]);
});

Deno.test("a drop puts what was in flight first in line, and it is resent with its mid", () => {
  const { clock, requests, sent, results, pub } = setup();
  pub(1).start();
  pub(2).start();
  requests.enqueue(pub(3));
  requests.drop();
  clock.tick(5000); // the dropped requests' timers are gone
  assert.deepEqual(results, []);
  requests.flush(() => true);
  assert.deepEqual(sent.map((f) => [f.ref, f.mid]), [
    [1, "1"],
    [2, "2"],
    [3, "1"],
    [4, "2"],
    [5, "3"],
  ]);
});

Deno.test("failQueued rejects what waits and leaves what is in flight", () => {
  const { requests, results, pub } = setup();
  pub(1).start();
  requests.enqueue(pub(2));
  requests.failQueued(new RealtimeError("closed", "closed"));
  assert.deepEqual(results, ["2 closed"]);
  requests.answer(1, null, undefined);
  assert.deepEqual(results, ["2 closed", "1 ok"]);
});

Deno.test("each request times out at its own deadline, whatever was answered or timed out before it", () => {
  const { clock, requests, results, pub } = setup();
  pub(1).start(); // times out at 1000
  clock.tick(300);
  pub(2).start(); // answered
  clock.tick(100);
  pub(3).start(); // times out at 1400
  requests.answer(2, null, undefined);
  clock.tick(599);
  assert.deepEqual(results, ["2 ok"]);
  clock.tick(1);
  assert.deepEqual(results, ["2 ok", "1 timeout"]);
  clock.tick(399);
  assert.deepEqual(results, ["2 ok", "1 timeout"]);
  clock.tick(1);
  assert.deepEqual(results, ["2 ok", "1 timeout", "3 timeout"]);
});

Deno.test("a request started by a timed-out one's settle gets its full ack timeout", () => {
  const { clock, requests, results } = setup();
  const chained = requests.create(
    { type: "pub", channel: "a", event: "e", data: 2, mid: "2" },
    (error) => results.push(`2 ${error?.code ?? "ok"}`),
  );
  requests.create(
    { type: "pub", channel: "a", event: "e", data: 1, mid: "1" },
    (error) => {
      results.push(`1 ${error?.code ?? "ok"}`);
      chained.start();
    },
  ).start();
  clock.tick(1000);
  assert.deepEqual(results, ["1 timeout"]);
  clock.tick(999);
  assert.deepEqual(results, ["1 timeout"]);
  clock.tick(1);
  assert.deepEqual(results, ["1 timeout", "2 timeout"]);
});

Deno.test("nothing in flight, no timer left: answered, timed out or dropped", () => {
  const { clock, requests, pub } = setup();
  pub(1).start();
  requests.answer(1, null, undefined);
  assert.equal(clock.countTimers(), 0);
  pub(2).start();
  clock.tick(1000);
  assert.equal(clock.countTimers(), 0);
  pub(3).start();
  requests.drop();
  assert.equal(clock.countTimers(), 0);
});

import assert from "node:assert/strict";
import { createTestClock } from "../_fake_clock.ts";
import { StateEmitter } from "../../src/core/state_stream.ts";
import { WaitError } from "../../src/core/wait_error.ts";

function isWaitError(code: string) {
  return (error: unknown) => error instanceof WaitError && error.code === code;
}

Deno.test("a new subscriber hears the current state first, then each change", () => {
  const state = new StateEmitter("idle");
  state.emit("busy");
  const heard: string[] = [];
  state.subscribe((s) => heard.push(s));
  state.emit("done");
  assert.deepEqual(heard, ["busy", "done"]);
  assert.equal(state.value, "done");
});

Deno.test("an iterator yields the current state first", async () => {
  const state = new StateEmitter(0);
  const iterator = state[Symbol.asyncIterator]();
  state.emit(1);
  state.finish(2);
  const seen: number[] = [];
  for await (const n of { [Symbol.asyncIterator]: () => iterator }) {
    seen.push(n);
  }
  assert.deepEqual(seen, [0, 1, 2]);
});

Deno.test("until resolves at once when the current state matches", async () => {
  const state = new StateEmitter("ready");
  assert.equal(await state.until((s) => s === "ready"), "ready");
  assert.equal(state.listenerCount, 0);
});

Deno.test("until resolves with the first matching change and detaches", async () => {
  const state = new StateEmitter(0);
  const waiting = state.until((n) => n >= 2);
  state.emit(1);
  state.emit(2);
  state.emit(3);
  assert.equal(await waiting, 2);
  assert.equal(state.listenerCount, 0);
});

Deno.test("until rejects with a timeout error on the injected clock", async () => {
  const clock = createTestClock();
  const state = new StateEmitter(0);
  const waiting = state.until((n) => n === 1, { timeout: 100, clock });
  clock.tick(99);
  state.emit(2);
  clock.tick(1);
  await assert.rejects(waiting, isWaitError("timeout"));
  assert.equal(state.listenerCount, 0);
  assert.equal(clock.countTimers(), 0);
});

Deno.test("until rejects with an aborted error carrying the signal's reason", async () => {
  const clock = createTestClock();
  const state = new StateEmitter(0);
  const controller = new AbortController();
  const waiting = state.until((n) => n === 1, {
    signal: controller.signal,
    timeout: 1000,
    clock,
  });
  controller.abort("stop");
  await assert.rejects(
    waiting,
    (error) =>
      isWaitError("aborted")(error) && (error as Error).cause === "stop",
  );
  assert.equal(clock.countTimers(), 0);
  await assert.rejects(
    state.until(() => true, { signal: controller.signal }),
    isWaitError("aborted"),
  );
});

Deno.test("until rejects when the stream is closed", async () => {
  const state = new StateEmitter(0);
  const waiting = state.until((n) => n === 1);
  state.close();
  await assert.rejects(waiting, isWaitError("closed"));
  await assert.rejects(state.until((n) => n === 1), isWaitError("closed"));
});

Deno.test("until rejects with what the predicate throws", async () => {
  const state = new StateEmitter(0);
  const boom = new Error("boom");
  const waiting = state.until((n) => {
    if (n === 1) throw boom;
    return false;
  });
  state.emit(1);
  await assert.rejects(waiting, boom);
  assert.equal(state.listenerCount, 0);
});

Deno.test("states emitted from a listener reach a late subscriber once, in order", () => {
  const state = new StateEmitter("a");
  const late: string[] = [];
  state.subscribe((s) => {
    if (s === "b") {
      state.emit("c");
      state.subscribe((t) => late.push(t));
      state.emit("d");
    }
  });
  state.emit("b");
  assert.deepEqual(late, ["c", "d"]);
});

Deno.test("StateEmitter refuses an unknown or wrong-typed option, naming itself", () => {
  assert.throws(
    () => new StateEmitter(0, { onErorr: () => {} } as never),
    new TypeError(
      "Cannot create StateEmitter as 'onErorr' is not an option: did you mean 'onError'?",
    ),
  );
  assert.throws(
    () => new StateEmitter(0, { onError: true } as never),
    new TypeError(
      "Cannot create StateEmitter as 'onError' must be a function: current value is true",
    ),
  );
});

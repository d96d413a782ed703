import assert from "node:assert/strict";
import { Emitter } from "../../src/core/event_stream.ts";

Deno.test("Emitter validates its options", () => {
  assert.throws(
    () => new Emitter({ onError: "log" as unknown as () => void }),
    {
      name: "TypeError",
      message:
        "Cannot create Emitter as 'onError' must be a function: current value is log",
    },
  );
});

Deno.test("delivers values to every listener in order", () => {
  const emitter = new Emitter<number>();
  const a: number[] = [];
  const b: number[] = [];
  emitter.subscribe((n) => a.push(n));
  emitter.subscribe((n) => b.push(n));
  emitter.emit(1);
  emitter.emit(2);
  assert.deepEqual(a, [1, 2]);
  assert.deepEqual(b, [1, 2]);
});

Deno.test("unsubscribing stops delivery and is harmless twice", () => {
  const emitter = new Emitter<number>();
  const heard: number[] = [];
  const unsubscribe = emitter.subscribe((n) => heard.push(n));
  emitter.emit(1);
  unsubscribe();
  unsubscribe();
  emitter.emit(2);
  assert.deepEqual(heard, [1]);
  assert.equal(emitter.listenerCount, 0);
});

Deno.test("aborting the signal unsubscribes the listener", () => {
  const emitter = new Emitter<number>();
  const controller = new AbortController();
  const heard: number[] = [];
  emitter.subscribe((n) => heard.push(n), { signal: controller.signal });
  emitter.emit(1);
  controller.abort();
  emitter.emit(2);
  assert.deepEqual(heard, [1]);
  assert.equal(emitter.listenerCount, 0);
  emitter.subscribe((n) => heard.push(n), { signal: controller.signal });
  assert.equal(emitter.listenerCount, 0);
});

Deno.test("an iterator hears values emitted before its first next()", async () => {
  const emitter = new Emitter<string>();
  const iterator = emitter[Symbol.asyncIterator]();
  emitter.emit("a");
  emitter.emit("b");
  assert.deepEqual(await iterator.next(), { done: false, value: "a" });
  assert.deepEqual(await iterator.next(), { done: false, value: "b" });
  const pending = iterator.next();
  emitter.emit("c");
  assert.deepEqual(await pending, { done: false, value: "c" });
  await iterator.return!();
});

Deno.test("streams are hot: a value emitted before a listener or an iterator exists is not replayed", async () => {
  const emitter = new Emitter<string>();
  emitter.emit("missed");
  const heard: string[] = [];
  emitter.subscribe((value) => heard.push(value));
  const iterator = emitter[Symbol.asyncIterator]();
  emitter.emit("seen");
  assert.deepEqual(heard, ["seen"]);
  assert.deepEqual(await iterator.next(), { done: false, value: "seen" });
  await iterator.return!();
});

Deno.test("iterators end when the stream is closed", async () => {
  const emitter = new Emitter<number>();
  const seen: number[] = [];
  const loop = (async () => {
    for await (const n of emitter) seen.push(n);
  })();
  emitter.emit(1);
  emitter.close();
  await loop;
  assert.deepEqual(seen, [1]);
  assert.equal(emitter.closed, true);
  assert.equal(emitter.listenerCount, 0);
  emitter.subscribe(() => assert.fail("closed streams deliver nothing"));
  emitter.emit(2);
  assert.deepEqual(await emitter[Symbol.asyncIterator]().next(), {
    done: true,
    value: undefined,
  });
});

Deno.test("breaking out of a for await loop detaches the iterator", async () => {
  const emitter = new Emitter<number>();
  const loop = (async () => {
    for await (const n of emitter) if (n === 2) break;
  })();
  assert.equal(emitter.listenerCount, 1);
  emitter.emit(1);
  emitter.emit(2);
  await loop;
  assert.equal(emitter.listenerCount, 0);
});

Deno.test("end() ends the open iterators after what was emitted, and later iterators work", async () => {
  const emitter = new Emitter<number>();
  const first = emitter[Symbol.asyncIterator]();
  emitter.emit(1);
  emitter.end();
  const second = emitter[Symbol.asyncIterator]();
  emitter.emit(2);
  assert.deepEqual(await first.next(), { done: false, value: 1 });
  assert.deepEqual(await first.next(), { done: true, value: undefined });
  assert.deepEqual(await second.next(), { done: false, value: 2 });
  await second.return!();
});

Deno.test("finish() yields its value last even if a listener emits in response", async () => {
  const emitter = new Emitter<string>();
  const iterator = emitter[Symbol.asyncIterator]();
  emitter.subscribe((value) => {
    if (value === "last") emitter.emit("after");
  });
  emitter.finish("last");
  assert.deepEqual(await iterator.next(), { done: false, value: "last" });
  assert.deepEqual(await iterator.next(), { done: true, value: undefined });
});

Deno.test("a throwing listener does not keep the others from hearing the value", () => {
  const errors: unknown[] = [];
  const emitter = new Emitter<number>({ onError: (e) => errors.push(e) });
  const heard: number[] = [];
  const boom = new Error("boom");
  emitter.subscribe(() => {
    throw boom;
  });
  emitter.subscribe((n) => heard.push(n));
  emitter.emit(1);
  assert.deepEqual(heard, [1]);
  assert.deepEqual(errors, [boom]);
});

Deno.test("by default a listener's error is rethrown from a microtask", async () => {
  const emitter = new Emitter<number>();
  const boom = new Error("boom");
  const reported = new Promise<unknown>((resolve) => {
    const onError = (event: ErrorEvent) => {
      event.preventDefault();
      globalThis.removeEventListener("error", onError);
      resolve(event.error);
    };
    globalThis.addEventListener("error", onError);
  });
  const heard: number[] = [];
  emitter.subscribe(() => {
    throw boom;
  });
  emitter.subscribe((n) => heard.push(n));
  emitter.emit(1);
  assert.deepEqual(heard, [1]);
  assert.equal(await reported, boom);
});

Deno.test("a value emitted from a listener reaches everyone after the current one", () => {
  const emitter = new Emitter<number>();
  const a: number[] = [];
  const b: number[] = [];
  emitter.subscribe((n) => {
    a.push(n);
    if (n === 1) emitter.emit(2);
  });
  emitter.subscribe((n) => b.push(n));
  emitter.emit(1);
  assert.deepEqual(a, [1, 2]);
  assert.deepEqual(b, [1, 2]);
});

Deno.test("a listener added during delivery hears only later values", () => {
  const emitter = new Emitter<number>();
  const late: number[] = [];
  emitter.subscribe((n) => {
    if (n === 1) emitter.subscribe((m) => late.push(m));
  });
  emitter.emit(1);
  emitter.emit(2);
  assert.deepEqual(late, [2]);
});

Deno.test("Emitter refuses an unknown option and suggests the nearest", () => {
  assert.throws(
    () => new Emitter({ onErorr: () => {} } as never),
    new TypeError(
      "Cannot create Emitter as 'onErorr' is not an option: did you mean 'onError'?",
    ),
  );
});

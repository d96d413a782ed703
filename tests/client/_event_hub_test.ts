import assert from "node:assert/strict";
import { EventHub } from "../../src/client/_event_hub.ts";

interface Events {
  message: string;
  count: number;
  error: Error;
}

function hub(reported: unknown[] = []): EventHub<Events> {
  return new EventHub<Events>((error) => reported.push(error), "error");
}

Deno.test("a keyed listener hears its key before the listeners of the whole event", () => {
  const events = hub();
  const log: string[] = [];
  events.listen("message", (v) => log.push(`all ${v}`));
  events.listen("message", (v) => log.push(`chat ${v}`), { key: "chat" });
  events.emit("message", "hi", "chat");
  events.emit("message", "yo", "news");
  assert.deepEqual(log, ["chat hi", "all hi", "all yo"]);
});

Deno.test("once hears one value; the returned function, off and a signal remove", () => {
  const events = hub();
  const log: number[] = [];
  const controller = new AbortController();
  events.listen("count", (n) => log.push(n), { once: true });
  const remove = events.listen("count", (n) => log.push(n * 10));
  const listener = (n: number) => log.push(n * 100);
  events.listen("count", listener);
  events.listen("count", (n) => log.push(n * 1000), {
    signal: controller.signal,
  });
  events.emit("count", 1);
  remove();
  events.off("count", undefined, listener);
  controller.abort();
  events.emit("count", 2);
  assert.deepEqual(log, [1, 10, 100, 1000]);
  assert.equal(events.count("count"), 0);
});

Deno.test("off without a listener removes every listener of the key", () => {
  const events = hub();
  const log: string[] = [];
  events.listen("message", (v) => log.push(`a ${v}`), { key: "chat" });
  events.listen("message", (v) => log.push(`b ${v}`), { key: "chat" });
  events.listen("message", (v) => log.push(`c ${v}`), { key: "news" });
  events.off("message", "chat");
  events.emit("message", "1", "chat");
  events.emit("message", "2", "news");
  assert.deepEqual(log, ["c 2"]);
});

Deno.test("off knows a wrapped listener by the original the caller gave", () => {
  const events = hub();
  const log: string[] = [];
  const original = (name: string) => log.push(name);
  events.listen("message", (v) => original(`wrapped ${v}`), {}, original);
  events.emit("message", "1");
  events.off("message", undefined, original);
  events.emit("message", "2");
  assert.deepEqual(log, ["wrapped 1"]);
});

Deno.test("what a listener throws is reported and the others still hear", () => {
  const reported: unknown[] = [];
  const events = hub(reported);
  const heard: string[] = [];
  events.listen("message", () => {
    throw new Error("boom");
  });
  events.listen("message", (v) => heard.push(v));
  events.emit("message", "hi");
  assert.deepEqual(heard, ["hi"]);
  assert.deepEqual(reported.map((e) => (e as Error).message), ["boom"]);
});

Deno.test("an emit from inside a listener is heard after the current one", () => {
  const events = hub();
  const log: number[] = [];
  events.listen("count", (n) => {
    log.push(n);
    if (n === 1) events.emit("count", 2);
    log.push(-n);
  });
  events.emit("count", 1);
  assert.deepEqual(log, [1, -1, 2, -2]);
});

Deno.test("emitError hands errors to the error listeners, and drops them when there are none", async () => {
  const events = hub();
  assert.equal(events.emitError(new Error("nobody")), false);
  const heard: Error[] = [];
  const remove = events.listen("error", (e) => heard.push(e));
  assert.equal(events.emitError("text"), true);
  remove();
  assert.equal(events.emitError(new Error("gone")), false);
  await Promise.resolve(); // nothing was thrown from a microtask either
  assert.deepEqual(heard.map((e) => e.message), ["text"]);
});

Deno.test("a key's last listener removed, a new one on that key hears, and keys of other events stay apart", () => {
  const events = hub();
  const log: string[] = [];
  const remove = events.listen("message", (v) => log.push(`a ${v}`), {
    key: "chat",
  });
  events.listen("count", (n) => log.push(`count ${n}`), { key: "chat" });
  remove();
  remove(); // harmless twice
  events.emit("message", "gone", "chat");
  events.listen("message", (v) => log.push(`b ${v}`), { key: "chat" });
  events.emit("message", "back", "chat");
  events.emit("count", 1, "chat");
  events.emit("count", 2, "news");
  assert.deepEqual(log, ["b back", "count 1"]);
});

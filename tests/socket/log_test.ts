import assert from "node:assert/strict";
import { setup } from "./_setup.ts";
import type { LogEntry } from "../../src/core/log.ts";
import { RingBuffer } from "../../src/core/ring_buffer.ts";

function logged() {
  const entries: LogEntry[] = [];
  const logger = (entry: LogEntry) => entries.push(entry);
  const events = () => entries.map(({ time: _, ...rest }) => rest);
  return { entries, logger, events };
}

Deno.test("logs each state, each attempt with its delay and error, and the flush", async () => {
  const { entries, logger, events } = logged();
  const { clock, fakes, socket } = setup({ logger });
  socket.send("queued while connecting");
  fakes.last.fail();
  clock.tick(250);
  fakes.last.open();
  await socket.close();
  assert.deepEqual(events(), [
    { level: "debug", event: "state", state: "connecting" },
    {
      level: "warn",
      event: "attempt",
      attempt: 1,
      delay: 250,
      error: "connection_refused",
      message: "connection refused",
    },
    { level: "debug", event: "flush", count: 1 },
    { level: "info", event: "state", state: "reconnected" },
    { level: "debug", event: "state", state: "disconnecting" },
    {
      level: "info",
      event: "state",
      state: "disconnected",
      code: 1000,
      reason: "",
    },
  ]);
  assert.equal(entries[1].time, 0);
  assert.equal(entries[2].time, 250); // the clock's time
});

Deno.test("logs every drop with its reason, never the data", async () => {
  const { logger, events } = logged();
  const { socket } = setup({
    logger,
    buffer: new RingBuffer({ capacity: 1, overflow: "drop-newest" }),
  });
  socket.send("secret one");
  socket.send("secret two");
  await socket.close();
  socket.send("secret three");
  const drops = events().filter((e) => e.event === "drop");
  assert.deepEqual(drops, [
    { level: "warn", event: "drop", reason: "buffer_full" },
    { level: "warn", event: "drop", reason: "closed" },
  ]);
  assert.ok(!JSON.stringify(events()).includes("secret"));
});

Deno.test("an error message logged has the query strings of its URLs taken out", async () => {
  const { entries, logger } = logged();
  const { fakes, socket } = setup(
    { logger },
    "ws://example.test/live?token=hunter2",
  );
  fakes.last.fail("Cannot connect to ws://example.test/live?token=hunter2 now");
  await socket.close();
  const attempt = entries.find((e) => e.event === "attempt");
  assert.equal(
    attempt?.message,
    "Cannot connect to ws://example.test/live?… now",
  );
  assert.ok(!JSON.stringify(entries).includes("hunter2"));
});

Deno.test("debug: true logs every entry to console.debug", async () => {
  const lines: unknown[][] = [];
  const original = console.debug;
  console.debug = (...args: unknown[]) => void lines.push(args);
  try {
    const { socket } = setup({ debug: true });
    await socket.close();
  } finally {
    console.debug = original;
  }
  assert.deepEqual(lines.map((line) => line[0]), [
    "lifeline state",
    "lifeline state",
    "lifeline state",
  ]);
  assert.equal((lines[0][1] as LogEntry).state, "connecting");
});

Deno.test("debug must be a boolean", () => {
  assert.throws(
    () => setup({ debug: "yes" as unknown as boolean }),
    new TypeError(
      "Cannot create ReconnectingWebSocket as 'debug' must be a boolean: current value is yes",
    ),
  );
});

/**
 * Limits under load: one client that never reads sits in a channel while
 * publishers flood it, against the example relay on Deno and on Bun (native
 * topics). The relay's memory stays bounded, it counts what the non-reader
 * missed, and it closes it with `bye` (`slow_consumer`, a retry hint) and
 * 1013, while a reader in the same channel gets every message. The pass
 * mark is a bound on the relay process's RSS, not a timing. Loopback only,
 * bounded in messages and time; every process is stopped by its pid.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type ExampleRelay,
  type RunningServer,
  spawnExampleRelay,
} from "../../tools/servers.ts";
import { RawClient, type ServerFrame } from "./_raw_client.ts";

/** A socket past this backlog misses every frame (the relay's hard limit). */
const MAX_BUFFERED = 1024 * 1024;
/** How long past it before 1013. */
const SLOW_TIMEOUT = 2_000;
/** Bytes of data per message. */
const PAYLOAD = 4_096;
/** Messages of the baseline run, with every client reading. */
const WARM_UP = 100_000;
/** Clients that never read. */
const NON_READERS = 2;
/**
 * Most messages in all, a bound only: the flood stops once the relay has
 * closed every non-reader, about `SLOW_TIMEOUT` after their backlogs fill.
 */
const MAX_MESSAGES = 700_000;
/** Longest the flood runs, ms. */
const MAX_FLOOD_MS = 30_000;
/** Messages the reader may be behind the publishers. */
const WINDOW = 64;
/**
 * How far the relay's RSS may go above its peak in the baseline run, in
 * bytes: room for the non-readers' bounded backlogs and the noise of the
 * garbage collector, far below what they were sent.
 */
const RSS_BOUND = 16 * 1024 * 1024;

interface Stats {
  drops: number;
  slowConsumers: number;
  connections: number;
  memory: { rss: number };
}

async function stats(server: RunningServer): Promise<Stats> {
  const response = await fetch(`${server.httpUrl}/stats`);
  return await response.json();
}

/** A WebSocket client of the relay that has said hello and joined `channel`. */
async function joined(url: string, channel: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  const acked = new Promise<void>((resolve, reject) => {
    ws.onmessage = (event) => {
      if (JSON.parse(String(event.data)).type === "ack") resolve();
    };
    ws.onerror = () => reject(new Error("socket error"));
  });
  await new Promise((resolve) => (ws.onopen = resolve));
  ws.send(JSON.stringify({ type: "hello", v: 1 }));
  ws.send(JSON.stringify({ type: "join", ref: 1, channel }));
  await acked;
  return ws;
}

async function closed(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  const done = new Promise((resolve) => (ws.onclose = resolve));
  ws.close();
  await done;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** The RSS of the relay process, sampled every 100 ms while `work` runs. */
async function sampled(
  server: RunningServer,
  work: (latest: () => Stats) => Promise<void>,
): Promise<{ samples: number[]; after: Stats }> {
  let latest = await stats(server);
  const samples = [latest.memory.rss];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      latest = await stats(server);
      samples.push(latest.memory.rss);
    }
  })();
  try {
    await work(() => latest);
  } finally {
    sampling = false;
    await sampler;
  }
  const after = await stats(server);
  samples.push(after.memory.rss);
  return { samples, after };
}

/** A non-reader: joins `channel`, then reads nothing, but pings every 300 ms. */
async function nonReader(url: string, channel: string) {
  const client = await RawClient.connect(url);
  await client.send(JSON.stringify({ type: "hello", v: 1 }));
  await client.send(JSON.stringify({ type: "join", ref: 1, channel }));
  await client.readUntil(
    (f) => f.kind === "text" && f.text.includes('"type":"ack"'),
    10_000,
  );
  // Only the backlog can close it: the heartbeat hears from it.
  const pinger = setInterval(
    () => void client.send("ping").catch(() => {}),
    300,
  );
  return {
    client,
    stopPinging: () => clearInterval(pinger),
  };
}

async function floodAgainst(entry: ExampleRelay): Promise<void> {
  const server = await spawnExampleRelay(entry, {
    LIFELINE_RATE: "0",
    LIFELINE_HISTORY_SIZE: "100",
    LIFELINE_BACKLOG_BYTES: String(MAX_BUFFERED),
    LIFELINE_SLOW_TIMEOUT: String(SLOW_TIMEOUT),
  });
  const sockets: WebSocket[] = [];
  const stalled: Awaited<ReturnType<typeof nonReader>>[] = [];
  try {
    let received = 0;
    let lastSeq = -1;
    let ordered = true;
    let progress: (() => void) | undefined;
    /** Resolves on the reader's next message, or after `ms`. */
    const nextMessage = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        progress = () => {
          clearTimeout(timer);
          progress = undefined;
          resolve();
        };
      });
    const reader = await joined(server.url, "flood");
    sockets.push(reader);
    reader.onmessage = (event) => {
      const frame = JSON.parse(String(event.data));
      if (frame.type !== "msg") return;
      if (frame.data.seq !== lastSeq + 1) ordered = false;
      lastSeq = frame.data.seq;
      received++;
      progress?.();
    };
    const publisher = await joined(server.url, "flood");
    sockets.push(publisher);
    publisher.onmessage = null;

    const filler = "x".repeat(PAYLOAD);
    let sent = 0;
    /** Publishes, paced by the reader, until `enough` or the bounds. */
    const flood = async (enough: () => boolean) => {
      const started = Date.now();
      while (
        !enough() && sent < MAX_MESSAGES && Date.now() - started < MAX_FLOOD_MS
      ) {
        publisher.send(JSON.stringify({
          type: "pub",
          channel: "flood",
          event: "load",
          data: { seq: sent, filler },
          echo: false,
        }));
        sent++;
        while (
          sent - received > WINDOW && Date.now() - started < MAX_FLOOD_MS
        ) {
          await nextMessage(1_000);
        }
      }
      const deadline = Date.now() + 10_000;
      while (received < sent && Date.now() < deadline) {
        await nextMessage(1_000);
      }
    };

    // The baseline: the same flood with nobody stalled, which grows the
    // relay's heap to what this traffic needs.
    const warmUp = WARM_UP;
    const before = await sampled(server, () => flood(() => sent >= warmUp));
    const baseline = Math.max(...before.samples);

    for (let i = 0; i < NON_READERS; i++) {
      stalled.push(await nonReader(server.url, "flood"));
    }
    const started = Date.now();
    const during = await sampled(
      server,
      (latest) => flood(() => latest().slowConsumers >= NON_READERS),
    );
    const floodMs = Date.now() - started;
    const { after } = during;

    // What a non-reader finds once it reads again: its share of the flood,
    // cut short, then the goodbye.
    const finds = [];
    for (const { client, stopPinging } of stalled) {
      stopPinging();
      const frames = await client.readUntil(() => false, 10_000);
      finds.push({
        bytes: client.bytesRead,
        bye: frames.find((f) =>
          f.kind === "text" && f.text.includes('"type":"bye"')
        ),
        close: frames.find((f) => f.kind === "close") as
          | (ServerFrame & { kind: "close" })
          | undefined,
      });
    }

    const peak = Math.max(...during.samples);
    const flooded = sent - warmUp;
    console.log(
      `${entry}: baseline run, ${warmUp} messages with every client reading; relay RSS MB every 100 ms: ${
        before.samples.map(mb).join(" ")
      }`,
    );
    console.log(
      `${entry}: ${NON_READERS} clients that never read, then ${flooded} messages of ${PAYLOAD} B (${
        mb(flooded * PAYLOAD)
      } MB each) in ${floodMs} ms; relay RSS MB every 100 ms: ${
        during.samples.map(mb).join(" ")
      }`,
    );
    console.log(
      `${entry}: baseline peak ${mb(baseline)} MB, peak ${mb(peak)} MB (${
        peak >= baseline ? "+" : ""
      }${mb(peak - baseline)}, bound +${
        mb(RSS_BOUND)
      }); drops ${after.drops}, slow consumers ${after.slowConsumers}; the non-readers read ${
        finds.map((f) => mb(f.bytes)).join(", ")
      } MB, then close ${finds.map((f) => f.close?.code).join(", ")}`,
    );

    assert.ok(
      peak <= baseline + RSS_BOUND,
      `RSS rose ${mb(peak - baseline)} MB over the baseline`,
    );
    assert.equal(after.slowConsumers, NON_READERS);
    assert.ok(after.drops > 0);
    for (const { bye, close, bytes } of finds) {
      assert.equal(close?.code, 1013);
      assert.ok(bye?.kind === "text");
      assert.deepEqual(JSON.parse(bye.text), {
        type: "bye",
        reason: "slow_consumer",
        reconnect: true,
        retryAfter: SLOW_TIMEOUT,
      });
      // A fraction of the flood: the rest was dropped, not held.
      assert.ok(bytes < (flooded * PAYLOAD) / 4);
    }
    // The reader in the same channel was served throughout, in order.
    assert.equal(received, sent);
    assert.ok(ordered);
  } finally {
    for (const { client, stopPinging } of stalled) {
      stopPinging();
      await client.close();
    }
    await Promise.all(sockets.map(closed));
    await server.stop();
  }
}

for (const entry of ["deno", "bun"] as const) {
  Deno.test(`${entry}: a client that never reads leaves the relay's memory bounded, and is closed with 1013`, async () => {
    await floodAgainst(entry);
  });
}

/**
 * The Bun adapter under backpressure, against a scripted Bun: it bounds
 * each socket with Bun's own `backpressureLimit`, counts what Bun drops,
 * and takes a backlogged socket off the native topics when a publish
 * reports backpressure.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  bunRelay,
  type BunServer,
  type BunServerWebSocket,
  type BunSocketData,
} from "../../../src/relay/adapters/bun.ts";
import { APP_TOPIC } from "../../../src/relay/mod.ts";
import { createTestClock } from "../../_fake_clock.ts";

const HELLO = '{"type":"hello","v":1}';

/** A scripted Bun socket: its buffer, its topics, and the frames sent to it. */
interface ScriptedSocket extends BunServerWebSocket {
  buffered: number;
  /** What `send` answers: Bun's status (0 dropped, -1 backpressure, else bytes). */
  status: number;
  readonly topics: Set<string>;
  readonly got: string[];
}

/** A scripted Bun server whose publish reaches the subscribed sockets. */
function scriptedBun() {
  const sockets: ScriptedSocket[] = [];
  const upgraded: BunSocketData[] = [];
  const deliver = (topic: string, text: string, except?: ScriptedSocket) => {
    let status = text.length;
    for (const ws of sockets) {
      if (ws === except || !ws.topics.has(topic)) continue;
      ws.got.push(JSON.parse(text).event ?? JSON.parse(text).type);
      if (ws.buffered > 0) status = -1;
    }
    return status;
  };
  const server: BunServer = {
    upgrade(_request, options) {
      upgraded.push(options.data);
      return true;
    },
    publish: (topic, text) => deliver(topic, text),
  };
  const socket = (data: BunSocketData): ScriptedSocket => {
    const ws: ScriptedSocket = {
      data,
      readyState: 1,
      buffered: 0,
      status: 1,
      topics: new Set(),
      got: [],
      send(text) {
        if (ws.status !== 0) {
          ws.got.push(JSON.parse(text).event ?? JSON.parse(text).type);
        }
        return ws.status;
      },
      close() {},
      getBufferedAmount: () => ws.buffered,
      subscribe: (topic) => void ws.topics.add(topic),
      unsubscribe: (topic) => void ws.topics.delete(topic),
      publish: (topic, text) => deliver(topic, text, ws),
    };
    sockets.push(ws);
    return ws;
  };
  return { server, upgraded, socket };
}

/**
 * A Bun relay on a fake clock over a scripted Bun (soft limit 100 B, hard
 * 1,000 B), with ann and bob welcomed in channel "room".
 */
async function twoInRoom(limits?: { frameBytes: number }) {
  const clock = createTestClock();
  const bun = scriptedBun();
  const lifeline = bunRelay({
    clock,
    softBufferedBytes: 100,
    maxBufferedBytes: 1_000,
    limits,
  });
  const ann = await joinedSocket(lifeline, bun);
  const bob = await joinedSocket(lifeline, bun);
  return { clock, lifeline, ann, bob };
}

/** A socket of `bun` upgraded by `lifeline`, welcomed, in channel "room". */
async function joinedSocket(
  lifeline: ReturnType<typeof bunRelay>,
  bun: ReturnType<typeof scriptedBun>,
): Promise<ScriptedSocket> {
  await lifeline.fetch(
    new Request("http://relay.test/ws", {
      headers: {
        upgrade: "websocket",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    }),
    bun.server,
  );
  const ws = bun.socket(bun.upgraded.at(-1)!);
  lifeline.websocket.open(ws);
  lifeline.websocket.message(ws, HELLO);
  lifeline.websocket.message(ws, '{"type":"join","channel":"room"}');
  return ws;
}

Deno.test("bunRelay bounds each socket with Bun's backpressureLimit, and closes slow consumers itself", async () => {
  const lifeline = bunRelay({
    maxBufferedBytes: 1_000,
    limits: { frameBytes: 100 },
  });
  assert.equal(lifeline.websocket.backpressureLimit, 1_100);
  assert.equal(lifeline.websocket.closeOnBackpressureLimit, false);
  await lifeline.close();
  const defaults = bunRelay();
  assert.equal(
    defaults.websocket.backpressureLimit,
    4 * 1024 * 1024 + 1024 * 1024,
  );
  await defaults.close();
});

Deno.test("bunRelay counts a frame Bun drops, and takes a backlogged socket off the topics", async () => {
  const { clock, lifeline, ann, bob } = await twoInRoom();
  // Bun drops a frame sent to bob: a drop the relay counts.
  bob.status = 0;
  lifeline.websocket.message(
    bob,
    '{"type":"members","ref":1,"channel":"room"}',
  );
  assert.equal(lifeline.relay.stats().drops, 1);
  bob.status = 1;
  // Bob's buffer fills: the next publish answers -1 and he leaves the topics.
  bob.buffered = 101;
  clock.tick(100);
  const pub = (volatile: boolean, event: string) =>
    lifeline.websocket.message(
      ann,
      JSON.stringify({ type: "pub", channel: "room", event, volatile }),
    );
  pub(false, "first");
  assert.deepEqual([...bob.topics], []);
  assert.deepEqual([...ann.topics].sort(), [APP_TOPIC, "room"].sort());
  bob.got.length = 0;
  pub(true, "cursor");
  pub(false, "chat");
  assert.deepEqual(bob.got, ["chat"]);
  assert.equal(lifeline.relay.stats().drops, 2);
  assert.equal(await lifeline.close(0), false);
});

Deno.test("bunRelay checks the backlogs once an eighth of frameBytes was published, however little time passed", async () => {
  // A check at least every 1,000 code units published.
  const { lifeline, ann, bob } = await twoInRoom({ frameBytes: 8_000 });
  const pub = (data: string) =>
    lifeline.websocket.message(
      ann,
      JSON.stringify({ type: "pub", channel: "room", event: "e", data }),
    );
  // The first publish checks (bob is empty); the clock never moves again.
  pub("");
  bob.buffered = 101;
  pub("");
  // Under 1,000 units since the check, within 10 ms: bob stays on the topics.
  assert.ok(bob.topics.has("room"));
  pub("x".repeat(1_000));
  // Past 1,000 units: the check comes, and bob is served frame by frame.
  assert.deepEqual([...bob.topics], []);
  assert.equal(await lifeline.close(0), false);
});

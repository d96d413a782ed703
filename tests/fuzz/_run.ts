/**
 * The fuzz run: seeded frames go to the protocol decoders and to a live
 * relay (in process, fake sockets, fake clock) over several attacking
 * connections, while a well-behaved client publishes into a channel and a
 * listener checks it hears every message, in order. Any broken rule throws
 * with the seed and the frame's index.
 *
 * @module
 */

import { createTestClock } from "../_fake_clock.ts";
import {
  decodeClientFrame,
  decodeRelayFrame,
  isErrorCode,
} from "../../src/protocol/mod.ts";
import {
  Relay,
  type RelayConnection,
  type RelaySocket,
  type RelayStats,
} from "../../src/relay/mod.ts";
import { type Frame, FrameGenerator } from "./_generator.ts";

/** How a run is sized. */
export interface FuzzOptions {
  /** Frames to send (each also goes to the decoders). */
  count: number;
  seed: number;
}

/** What a run counted. */
export interface FuzzFigures {
  seed: number;
  frames: number;
  /** Frames the relay took in (sent to a socket it still served). */
  served: number;
  /** Connections the attackers opened (a closed one is replaced). */
  connections: number;
  /** Close codes the relay closed attacking sockets with, by code. */
  closes: Record<string, number>;
  decodedOk: number;
  decodeErrors: Record<string, number>;
  goodPublishes: number;
  goodDelivered: number;
  stats: RelayStats;
  ms: number;
}

// Room for frames nested 100,000 levels deep (200,000 characters).
const FRAME_BYTES = 256 * 1024;
const ATTACKERS = 8;
/** 0, so a closing socket closes at the next tick, even within a burst. */
const CLOSE_LINGER = 0;

/** Rules a socket saw broken (a throw inside `send` would only count as a drop). */
const violations: string[] = [];

class Socket implements RelaySocket {
  bufferedAmount = 0;
  closed = false;
  closeCode: number | undefined;
  pongs = 0;
  frames = 0;
  /** Kept only for the good client and the listener. */
  readonly inbox: string[] | undefined;

  constructor(keep: boolean) {
    this.inbox = keep ? [] : undefined;
  }

  send(text: string): void {
    if (this.closed) violations.push(`send after close: ${text}`);
    if (text === "pong") this.pongs++;
    else {
      this.frames++;
      this.inbox?.push(text);
      // The relay's frames must be valid for clients.
      const result = decodeRelayFrame(text);
      if (!result.ok) violations.push(`relay sent a bad frame: ${text}`);
    }
  }

  close(code?: number): void {
    this.closed = true;
    this.closeCode = code;
  }
}

interface Peer {
  socket: Socket;
  conn: RelayConnection;
}

function fail(options: FuzzOptions, index: number, message: string): never {
  throw new Error(
    `fuzz seed ${options.seed}, frame ${index}: ${message} (rerun: deno task fuzz --count ${
      index + 1
    } --seed ${options.seed})`,
  );
}

function decodeChecked(frame: Frame, figures: FuzzFigures): void {
  // Decoders take text; a binary frame is handed over as the wrong type too.
  const text = frame as string;
  const result = decodeClientFrame(text, { frameBytes: FRAME_BYTES });
  if (result.ok) figures.decodedOk++;
  else {
    if (!isErrorCode(result.error.code)) {
      throw new Error(`decodeClientFrame answered ${result.error.code}`);
    }
    const code = result.error.code;
    figures.decodeErrors[code] = (figures.decodeErrors[code] ?? 0) + 1;
  }
  const relayResult = decodeRelayFrame(text);
  if (typeof relayResult.ok !== "boolean") {
    throw new Error("decodeRelayFrame answered no result");
  }
}

/** Runs `count` frames from `seed`; throws at the first broken rule. */
export function runFuzz(options: FuzzOptions): FuzzFigures {
  const started = performance.now();
  violations.length = 0;
  const clock = createTestClock();
  const errors: unknown[] = [];
  const relay = new Relay({
    clock,
    limits: { frameBytes: FRAME_BYTES, profileBytes: 512, channels: 8 },
    closeLinger: CLOSE_LINGER,
    dedupeTotal: 2_000,
    // Refuses one channel, so `forbidden` is on the paths fuzzed too.
    authorize: (_identity, _action, channel) => channel !== "x:y/z",
    onError: (error) => errors.push(error),
  });
  const generator = new FrameGenerator(options.seed, FRAME_BYTES);
  const random = generator.random;
  const figures: FuzzFigures = {
    seed: options.seed,
    frames: 0,
    served: 0,
    connections: 0,
    closes: {},
    decodedOk: 0,
    decodeErrors: {},
    goodPublishes: 0,
    goodDelivered: 0,
    stats: relay.stats(),
    ms: 0,
  };
  let pingsServed = 0;
  let pongsSeen = 0;

  const open = (keep: boolean, userId?: string): Peer => {
    const socket = new Socket(keep);
    const conn = relay.open(socket, userId === undefined ? {} : { userId });
    return { socket, conn };
  };
  const deliver = (peer: Peer, frame: Frame): void => {
    if (!peer.socket.closed) {
      figures.served++;
      if (frame === "ping") pingsServed++;
    }
    peer.conn.message(frame);
  };
  const retire = (peer: Peer): void => {
    pongsSeen += peer.socket.pongs;
    const code = String(peer.socket.closeCode ?? "open");
    figures.closes[code] = (figures.closes[code] ?? 0) + 1;
  };

  // The well-behaved pair: `good` publishes, `listener` hears.
  const good = open(true, "good");
  const listener = open(true, "listener");
  for (const peer of [good, listener]) {
    deliver(peer, '{"type":"hello","v":1}');
    deliver(peer, '{"type":"join","ref":1,"channel":"room","echo":false}');
  }
  const goodId = JSON.parse(good.socket.inbox![0]).session as string;
  let heard = 0;
  let published = 0;

  const attackers: Peer[] = [];
  const attacker = (): Peer => {
    figures.connections++;
    const peer = open(false);
    if (random.chance(0.8)) deliver(peer, '{"type":"hello","v":1}');
    return peer;
  };
  for (let i = 0; i < ATTACKERS; i++) attackers.push(attacker());
  generator.ids = [goodId];

  const publishGood = (index: number): void => {
    const ref = 1_000 + published;
    const before = good.socket.inbox!.length;
    deliver(
      good,
      JSON.stringify({
        type: "pub",
        ref,
        channel: "room",
        event: "chat",
        data: { n: published },
        mid: `g${published}`,
        echo: false,
      }),
    );
    const replies = good.socket.inbox!.slice(before).map((t) => JSON.parse(t))
      .filter((f) => f.type === "ack");
    if (replies.length !== 1 || replies[0].ref !== ref || !replies[0].ok) {
      fail(options, index, `good publish ${ref}: ${JSON.stringify(replies)}`);
    }
    published++;
    figures.goodPublishes++;
    // The listener hears it, after anything else the room carried.
    for (const text of listener.socket.inbox!.splice(0)) {
      const frame = JSON.parse(text);
      if (frame.type !== "msg" || frame.sender !== goodId) continue;
      if (frame.data?.n !== heard) {
        fail(options, index, `listener heard ${text}, expected n ${heard}`);
      }
      heard++;
    }
    if (heard !== published) {
      fail(options, index, `listener heard ${heard} of ${published}`);
    }
    good.socket.inbox!.length = 0;
  };

  // A burst sends many frames at once from one attacker, far over the rate.
  let burst = 0;
  let burstSlot = 0;
  for (let index = 0; index < options.count; index++) {
    // A burst's frames are valid, so it is the rate that stops them.
    const frame = burst > 0 && random.chance(0.9)
      ? `{"type":"members","ref":${index},"channel":"room"}`
      : generator.next();
    figures.frames++;
    try {
      decodeChecked(frame, figures);
    } catch (error) {
      fail(options, index, `a decoder threw: ${error}`);
    }
    const slot = burst > 0 ? burstSlot : random.int(ATTACKERS);
    try {
      deliver(attackers[slot], frame);
    } catch (error) {
      fail(options, index, `the relay threw: ${error}`);
    }
    if (errors.length > 0) {
      fail(options, index, `onError was told: ${errors[0]}`);
    }
    if (violations.length > 0) fail(options, index, violations[0]);
    // Mostly well under the rate; now and then a burst far over it.
    if (burst > 0) {
      burst--;
      clock.tick(0);
    } else {
      clock.tick(2);
      if (random.chance(0.002)) {
        burst = 400;
        burstSlot = random.int(ATTACKERS);
      }
    }
    for (let i = 0; i < ATTACKERS; i++) {
      if (attackers[i].socket.closed) {
        retire(attackers[i]);
        attackers[i] = attacker();
      }
    }
    if (index % 50 === 0) publishGood(index);
    if (index % 2_000 === 0) {
      deliver(good, "ping");
      deliver(listener, "ping");
      generator.ids = [goodId, ...relayIds(relay, "room")];
      checkStats(options, index, relay, attackers, figures);
    }
  }
  if (good.socket.closed || listener.socket.closed) {
    fail(options, options.count, "the well-behaved pair was closed");
  }
  checkStats(options, options.count, relay, attackers, figures);
  for (const peer of [...attackers, good, listener]) retire(peer);
  figures.stats = relay.stats();
  if (figures.stats.messagesIn !== figures.served) {
    fail(
      options,
      options.count,
      `messagesIn ${figures.stats.messagesIn} != frames served ${figures.served}`,
    );
  }
  if (pongsSeen !== pingsServed) {
    fail(options, options.count, `${pingsServed} pings, ${pongsSeen} pongs`);
  }
  relay.close();
  const after = relay.stats();
  if (after.connections !== 0 || after.sessions !== 0 || after.channels !== 0) {
    fail(options, options.count, `left after close: ${JSON.stringify(after)}`);
  }
  if (clock.countTimers() !== 0) {
    fail(options, options.count, `${clock.countTimers()} timers left`);
  }
  figures.goodDelivered = heard;
  figures.ms = Math.round(performance.now() - started);
  return figures;
}

function relayIds(relay: Relay, channel: string): string[] {
  return relay.members(channel).map((m) => m.id).slice(0, 4);
}

function checkStats(
  options: FuzzOptions,
  index: number,
  relay: Relay,
  attackers: Peer[],
  figures: FuzzFigures,
): void {
  const stats = relay.stats();
  const open = attackers.filter((p) => !p.socket.closed).length + 2;
  const problems: string[] = [];
  // Closing sockets linger for a moment before their close frame.
  if (stats.connections > open) {
    problems.push(`${stats.connections} connections > ${open} open`);
  }
  if (stats.sessions > stats.connections) problems.push("sessions > conns");
  if (stats.badFrames + stats.rateLimited > stats.messagesIn) {
    problems.push("badFrames + rateLimited > messagesIn");
  }
  if (stats.messagesIn !== figures.served) {
    problems.push(`messagesIn ${stats.messagesIn} != ${figures.served}`);
  }
  if (stats.drops !== 0) problems.push(`${stats.drops} drops`);
  if (stats.dedupeIds > 2_000) problems.push(`${stats.dedupeIds} dedupe ids`);
  if (problems.length > 0) fail(options, index, problems.join("; "));
}

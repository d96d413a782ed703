/**
 * The relay in a Cloudflare Durable Object, on the WebSocket Hibernation
 * API: the object accepts each socket with `ctx.acceptWebSocket`, lets the
 * runtime answer `ping` with `pong` while it sleeps
 * (`setWebSocketAutoResponse`), and forwards its `webSocketMessage`,
 * `webSocketClose`, `webSocketError` and `alarm` handlers here. What must
 * outlive a hibernation or an eviction is kept where it survives: each
 * socket's session, identity, profile and channels in its attachment
 * (`serializeAttachment`; before its `hello`, when it was accepted, so a
 * wake does not reset its hello deadline), everything else the relay
 * remembers (dedupe ids, members and presence versions, offsets, epochs,
 * history) in the object's SQLite storage
 * ({@linkcode DurableObjectStore}). After a wake the relay is
 * rebuilt from both before the first event is handled: a client sees no
 * difference.
 *
 * No timer runs in the object (a timer would keep it awake): the heartbeat
 * sweep and the presence grace run from `alarm()`, set to the relay's
 * `nextSweepAt()`, and liveness between frames comes from
 * `getWebSocketAutoResponseTimestamp`.
 *
 * The types below are the few parts of the Workers runtime the adapter
 * uses, written structurally: no `@cloudflare/workers-types` needed. The
 * file is over 500 lines because each of them, and the adapter, carries an
 * asserted example on a stand-in runtime; the adapter itself is about 200.
 *
 * @example A relay object in a Worker (the full one: `examples/worker/`)
 * ```ts ignore
 * import { durableObjectRelay, type DurableObjectContext, type HibernatableWebSocket } from "@lifeline/realtime/relay/durable-object";
 *
 * export class RelayObject {
 *   lifeline;
 *   constructor(ctx: DurableObjectContext) {
 *     this.lifeline = durableObjectRelay(ctx, { historySize: 500 });
 *   }
 *   fetch(request: Request) { return this.lifeline.fetch(request); }
 *   webSocketMessage(ws: HibernatableWebSocket, data: string | ArrayBuffer) { this.lifeline.webSocketMessage(ws, data); }
 *   webSocketClose(ws: HibernatableWebSocket, code: number, reason: string) { this.lifeline.webSocketClose(ws, code, reason); }
 *   webSocketError(ws: HibernatableWebSocket) { this.lifeline.webSocketError(ws); }
 *   alarm() { this.lifeline.alarm(); }
 * }
 * ```
 *
 * @module
 */

import { systemClock } from "../../core/clock.ts";
import { PING, PONG } from "../../protocol/mod.ts";
import {
  type ConnectionSnapshot,
  type Identity,
  Relay,
  type RelayConnection,
  type RelayOptions,
  type RelaySocket,
} from "../mod.ts";
import {
  AdapterCore,
  frameData,
  refusal,
  type RelayAdapter,
} from "./_adapter.ts";
import { DurableObjectStore, type SqlStorage } from "./_sql_store.ts";

export type { RelayAdapter } from "./_adapter.ts";
export {
  DurableObjectStore,
  type DurableObjectStoreOptions,
  type SqlStorage,
} from "./_sql_store.ts";

/**
 * A server WebSocket of the Hibernation API, as the adapter uses it.
 *
 * @example A stand-in socket
 * ```ts
 * import type { HibernatableWebSocket } from "@lifeline/realtime/relay/durable-object";
 * import assert from "node:assert/strict";
 *
 * let kept: unknown;
 * const ws: HibernatableWebSocket = {
 *   send() {},
 *   close() {},
 *   serializeAttachment: (value) => void (kept = value),
 *   deserializeAttachment: () => kept,
 * };
 * ws.serializeAttachment({ session: "s1" });
 * assert.deepEqual(ws.deserializeAttachment(), { session: "s1" });
 * ```
 */
export interface HibernatableWebSocket {
  /** Sends a text frame. */
  send(data: string): void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Keeps a structured-clonable value (at most 2 KiB) with the socket across hibernation. */
  serializeAttachment(value: unknown): void;
  /** The value last given to `serializeAttachment`, or `null`. */
  deserializeAttachment(): unknown;
}

/**
 * The part of a Durable Object's `ctx` (`DurableObjectState`) the adapter
 * uses. The object's class must be SQLite-backed (`new_sqlite_classes`).
 *
 * @example The state of an object, stood in for
 * ```ts
 * import type { DurableObjectContext } from "@lifeline/realtime/relay/durable-object";
 * import assert from "node:assert/strict";
 *
 * const alarms: number[] = [];
 * const ctx: Pick<DurableObjectContext, "getWebSockets" | "storage"> = {
 *   getWebSockets: () => [],
 *   storage: {
 *     sql: { exec: () => ({ toArray: () => [] }) },
 *     setAlarm: (at: number) => void alarms.push(at),
 *   },
 * };
 * ctx.storage.setAlarm(5);
 * assert.deepEqual(alarms, [5]);
 * ```
 */
export interface DurableObjectContext {
  /** Takes a server WebSocket under the Hibernation API, with up to 10 tags. */
  acceptWebSocket(ws: HibernatableWebSocket, tags?: string[]): void;
  /** Every socket the object accepted that is still open. */
  getWebSockets(tag?: string): HibernatableWebSocket[];
  /** Sets the request/response pair the runtime answers without waking the object. */
  setWebSocketAutoResponse(pair?: unknown): void;
  /** When the runtime last answered `ws`'s auto-response request, or `null`. */
  getWebSocketAutoResponseTimestamp(ws: HibernatableWebSocket): Date | null;
  /** The object's storage: its SQL API and its alarm. */
  readonly storage: {
    /** The SQLite API of a SQLite-backed object. */
    readonly sql: SqlStorage;
    /** Wakes the object's `alarm()` at `time` (ms since the epoch). */
    setAlarm(time: number): unknown;
  };
}

/**
 * Options of {@linkcode durableObjectRelay}: the relay's options, less
 * `sweepTimer` (always off: the alarm sweeps), plus the runtime's classes.
 *
 * @example A relay object with a smaller history
 * ```ts
 * import type { DurableObjectRelayOptions } from "@lifeline/realtime/relay/durable-object";
 * import assert from "node:assert/strict";
 *
 * const options: DurableObjectRelayOptions = { historySize: 100, heartbeat: { interval: 30_000 } };
 * assert.equal(options.historySize, 100);
 * ```
 */
export interface DurableObjectRelayOptions
  extends Omit<RelayOptions, "sweepTimer"> {
  /**
   * Makes the pair of sockets of an upgrade.
   *
   * @default {() => new WebSocketPair()}
   */
  webSocketPair?: () => {
    0: HibernatableWebSocket;
    1: HibernatableWebSocket;
  };
  /**
   * The runtime's `WebSocketRequestResponsePair` constructor, for the
   * `ping` → `pong` auto-response.
   *
   * @default {globalThis.WebSocketRequestResponsePair}
   */
  autoResponse?: new (request: string, response: string) => unknown;
}

/** The relay as a Durable Object's handlers; see {@linkcode durableObjectRelay}. */
export interface DurableObjectRelay extends RelayAdapter {
  /** The store in the object's storage. */
  readonly store: DurableObjectStore;
  /**
   * Answers an upgrade request routed to the object: a refusal (403, 401,
   * 426…) as JSON `{ error: { code, message } }`, or the 101 with the
   * client's socket. Route other paths before calling it.
   */
  fetch(request: Request): Promise<Response>;
  /** The object's `webSocketMessage` handler. */
  webSocketMessage(ws: HibernatableWebSocket, data: string | ArrayBuffer): void;
  /** The object's `webSocketClose` handler; completes the close handshake. */
  webSocketClose(ws: HibernatableWebSocket, code: number, reason: string): void;
  /** The object's `webSocketError` handler. */
  webSocketError(ws: HibernatableWebSocket, error?: unknown): void;
  /**
   * The object's `alarm` handler: reads each socket's last auto-answered
   * `ping`, runs the relay's sweep, and sets the next alarm.
   */
  alarm(): void;
}

/** What a socket's attachment holds. */
interface Attachment {
  /** Who the socket is, from the upgrade. */
  identity: Identity;
  /** The welcomed connection, once it is. */
  snapshot?: ConnectionSnapshot;
  /** The session whose snapshot is in storage, too large for the attachment. */
  spilled?: string;
  /**
   * When a frame last came from the socket (within a quarter of the
   * heartbeat interval), so a wake does not reset its heartbeat deadline.
   */
  heardAt?: number;
  /**
   * When the socket was accepted, while it waits for its `hello`, so a wake
   * does not reset its hello deadline.
   */
  openedAt?: number;
}

/** The attachment's budget: the platform allows 2 KiB, structured-cloned. */
const ATTACHMENT_BYTES = 1_800;
/** The largest string or row of a Durable Object's SQLite storage, in bytes. */
const SQL_ROW_BYTES = 2_000_000;
/** Close codes that cannot be sent back, answered with 1000. */
const RESERVED_CODES = new Set([1005, 1006, 1015]);

/**
 * Serves a relay from a Durable Object: call it once in the object's
 * constructor (or a field initializer) with the object's `ctx`, and forward
 * the object's handlers to what it returns. It builds the relay over a
 * {@linkcode DurableObjectStore} in `ctx.storage.sql` (the options
 * `dedupeSize`, `dedupeTotal`, `resumableSessions`, `historySize` and
 * `historyTtl` size it), with `sweepTimer: false`; rebuilds every socket the
 * object still holds after a wake; and lets the runtime answer `ping`.
 * Throws `TypeError` when `options.store` or `options.sweepTimer` is given,
 * and `RangeError` for a `limits.frameBytes` over 2 MB, the largest row the
 * storage holds (the platform takes WebSocket messages of up to 32 MiB; the
 * relay's default, 1 MiB, fits both).
 *
 * @example Accepting a socket and keeping its session across a wake
 * ```ts
 * import { durableObjectRelay, type HibernatableWebSocket } from "@lifeline/realtime/relay/durable-object";
 * import { DatabaseSync } from "node:sqlite";
 * import assert from "node:assert/strict";
 *
 * const db = new DatabaseSync(":memory:");
 * const sql = {
 *   exec: (query: string, ...bindings: (string | number | null)[]) => {
 *     const rows = db.prepare(query).all(...bindings) as Record<string, unknown>[];
 *     return { toArray: () => rows };
 *   },
 * };
 * const sockets: HibernatableWebSocket[] = [];
 * const sent: string[] = [];
 * const socket = (): HibernatableWebSocket => {
 *   let kept: unknown = null;
 *   return {
 *     send: (t) => sent.push(t),
 *     close() {},
 *     serializeAttachment: (v) => void (kept = structuredClone(v)),
 *     deserializeAttachment: () => kept,
 *   };
 * };
 * const ctx = {
 *   acceptWebSocket: (ws: HibernatableWebSocket) => void sockets.push(ws),
 *   getWebSockets: () => sockets,
 *   setWebSocketAutoResponse() {},
 *   getWebSocketAutoResponseTimestamp: () => null,
 *   storage: { sql, setAlarm() {} },
 * };
 * const options = {
 *   webSocketPair: () => ({ 0: socket(), 1: socket() }),
 *   autoResponse: class {},
 * };
 * const before = durableObjectRelay(ctx, options);
 * const upgrade = new Request("http://do/ws", { headers: { upgrade: "websocket" } });
 * // A runtime answers 101; a test runtime has no such Response.
 * await before.fetch(upgrade).catch(() => {});
 * before.webSocketMessage(sockets[0], '{"type":"hello","v":1}');
 * before.webSocketMessage(sockets[0], '{"type":"join","channel":"lobby"}');
 *
 * const after = durableObjectRelay(ctx, options); // the wake
 * after.webSocketMessage(sockets[0], '{"type":"pub","ref":7,"channel":"lobby","event":"chat"}');
 * assert.deepEqual(JSON.parse(sent.at(-1)!), { type: "ack", ref: 7, ok: true, data: { offset: 1 } });
 * db.close();
 * ```
 */
export function durableObjectRelay(
  ctx: DurableObjectContext,
  options: DurableObjectRelayOptions = {},
): DurableObjectRelay {
  const {
    webSocketPair = defaultPair,
    autoResponse = defaultAutoResponse(),
    ...relayOptions
  } = options;
  for (const forbidden of ["store", "sweepTimer"] as const) {
    if (forbidden in relayOptions) {
      throw new TypeError(
        `Cannot use durableObjectRelay's '${forbidden}' option as the adapter sets it (the object's storage, its alarm)`,
      );
    }
  }
  const store = new DurableObjectStore(ctx.storage.sql, {
    dedupeSize: relayOptions.dedupeSize,
    dedupeTotal: relayOptions.dedupeTotal,
    resumableSessions: relayOptions.resumableSessions,
    historySize: relayOptions.historySize,
    historyTtl: relayOptions.historyTtl,
    clock: relayOptions.clock,
  });
  const relay = new Relay({ ...relayOptions, store, sweepTimer: false });
  if (relay.limits.frameBytes > SQL_ROW_BYTES) {
    relay.close();
    throw new RangeError(
      `Cannot use durableObjectRelay's 'limits.frameBytes' as it must be at most ${SQL_ROW_BYTES}, the largest row the object's SQLite storage holds (a message is kept whole in history): current value is ${relay.limits.frameBytes}`,
    );
  }
  const core = new AdapterCore(relay);
  const connections = new Map<HibernatableWebSocket, RelayConnection>();
  let alarmAt: number | undefined;

  if (autoResponse !== undefined) {
    ctx.setWebSocketAutoResponse(new autoResponse(PING, PONG));
  }

  const clock = relayOptions.clock ?? systemClock;
  /** What each welcomed socket's attachment holds now. */
  const attachments = new Map<HibernatableWebSocket, Attachment>();
  /** How stale an attachment's `heardAt` may grow before it is rewritten. */
  const heardStep = relay.heartbeat.interval / 4;

  const attach = (ws: HibernatableWebSocket, attachment: Attachment) => {
    attachments.set(ws, attachment);
    ws.serializeAttachment(attachment);
  };

  const socketOf = (ws: HibernatableWebSocket): RelaySocket => ({
    send: (text) => ws.send(text),
    close(code, reason) {
      // A socket the relay closed is not rebuilt by a wake before its close
      // event arrives.
      attachments.delete(ws);
      try {
        ws.serializeAttachment(null);
      } catch {
        // Already closed: no wake rebuilds it either.
      }
      ws.close(code, reason);
    },
    persist(snapshot) {
      const heardAt = clock.now();
      const attachment: Attachment = {
        identity: snapshot.identity,
        snapshot,
        heardAt,
      };
      if (fits(attachment)) {
        try {
          return attach(ws, attachment);
        } catch {
          // Larger once cloned than measured: keep it in storage.
        }
      }
      store.keepSnapshot(snapshot);
      attach(ws, { identity: {}, spilled: snapshot.session, heardAt });
    },
  });

  /** Keeps when `ws` was last heard in its attachment, a step at a time. */
  const heard = (ws: HibernatableWebSocket) => {
    const attachment = attachments.get(ws);
    if (attachment === undefined) return;
    const now = clock.now();
    if (now - (attachment.heardAt ?? 0) < heardStep) return;
    attach(ws, { ...attachment, heardAt: now });
  };

  /** Rebuilds the connection of a socket accepted before a wake. */
  const revive = (ws: HibernatableWebSocket): RelayConnection => {
    const attachment = ws.deserializeAttachment() as Attachment | null;
    const snapshot = attachment?.snapshot ??
      (attachment?.spilled === undefined
        ? undefined
        : store.snapshot(attachment.spilled));
    let connection: RelayConnection;
    if (snapshot === undefined) {
      connection = relay.open(
        socketOf(ws),
        attachment?.identity ?? {},
        undefined,
        attachment?.openedAt,
      );
    } else {
      attachments.set(ws, attachment!);
      connection = relay.restore(socketOf(ws), {
        ...snapshot,
        heardAt: attachment!.heardAt,
      });
      const pinged = ctx.getWebSocketAutoResponseTimestamp(ws);
      if (pinged !== null) connection.seen?.(pinged.getTime());
    }
    connections.set(ws, connection);
    return connection;
  };

  const connectionOf = (ws: HibernatableWebSocket): RelayConnection =>
    connections.get(ws) ?? revive(ws);

  const schedule = () => {
    const at = relay.nextSweepAt();
    if (at === undefined || at === alarmAt) return;
    alarmAt = at;
    void ctx.storage.setAlarm(at);
  };

  // The wake: every socket still open, then the members whose socket went
  // away while the object was gone, who get their presence grace anew.
  const live = new Set<string>();
  for (const ws of ctx.getWebSockets()) live.add(revive(ws).id);
  const gone: RelaySocket = { send() {}, close() {} };
  for (const orphan of store.orphans(live)) {
    relay.restore(gone, orphan).closed(1006, "gone while the object slept");
  }
  schedule();

  return {
    relay,
    store,
    get openSockets(): number {
      return ctx.getWebSockets().length;
    },
    /**
     * Closes the relay: every client gets `bye` and 1012. The runtime
     * completes the close handshakes; nothing is left to wait for.
     */
    close(): Promise<boolean> {
      relay.close();
      return Promise.resolve(true);
    },
    async fetch(request: Request): Promise<Response> {
      const admission = await core.admit(request);
      if (!admission.ok) return refusal(admission);
      const pair = webSocketPair();
      const server = pair[1];
      const tags = admission.identity.userId !== undefined &&
          admission.identity.userId.length <= 200
        ? [`user:${admission.identity.userId}`]
        : [];
      ctx.acceptWebSocket(server, tags);
      server.serializeAttachment(
        {
          identity: admission.identity,
          openedAt: clock.now(),
        } satisfies Attachment,
      );
      connections.set(
        server,
        relay.open(socketOf(server), admission.identity, request),
      );
      schedule();
      const headers = admission.protocol === undefined
        ? undefined
        : { "sec-websocket-protocol": admission.protocol };
      return new Response(
        null,
        { status: 101, webSocket: pair[0], headers } as ResponseInit,
      );
    },
    webSocketMessage(ws, data) {
      connectionOf(ws).message(frameData(data));
      heard(ws);
      schedule();
    },
    webSocketClose(ws, code, reason) {
      connectionOf(ws).closed(code, reason);
      connections.delete(ws);
      attachments.delete(ws);
      try {
        ws.close(RESERVED_CODES.has(code) ? 1000 : code, reason);
      } catch {
        // Already closed.
      }
      schedule();
    },
    webSocketError(ws) {
      connectionOf(ws).closed(1006, "socket error");
      connections.delete(ws);
      attachments.delete(ws);
      schedule();
    },
    alarm() {
      alarmAt = undefined;
      for (const ws of ctx.getWebSockets()) {
        const at = ctx.getWebSocketAutoResponseTimestamp(ws);
        if (at !== null) connectionOf(ws).seen?.(at.getTime());
      }
      relay.sweep();
      schedule();
    },
  };
}

/** Whether `attachment` fits the platform's budget, as UTF-8 JSON. */
function fits(attachment: Attachment): boolean {
  const json = JSON.stringify(attachment);
  return json.length <= ATTACHMENT_BYTES &&
    new TextEncoder().encode(json).length <= ATTACHMENT_BYTES;
}

function defaultPair(): {
  0: HibernatableWebSocket;
  1: HibernatableWebSocket;
} {
  const Pair = (globalThis as {
    WebSocketPair?: new () => {
      0: HibernatableWebSocket;
      1: HibernatableWebSocket;
    };
  }).WebSocketPair;
  if (Pair === undefined) {
    throw new TypeError(
      "Cannot upgrade as this runtime has no WebSocketPair: pass durableObjectRelay's 'webSocketPair' option",
    );
  }
  return new Pair();
}

function defaultAutoResponse():
  | (new (request: string, response: string) => unknown)
  | undefined {
  return (globalThis as {
    WebSocketRequestResponsePair?: new (
      request: string,
      response: string,
    ) => unknown;
  }).WebSocketRequestResponsePair;
}

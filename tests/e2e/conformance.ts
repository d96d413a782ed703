/**
 * The end-to-end conformance suite: the client API against a real relay
 * server, whatever runs it. Each relay adapter's test file
 * (`./adapters/*_test.ts`) calls {@linkcode conformance} with a function that
 * starts its server; the scenarios are the same for all.
 *
 * Clients that must lose their network connect through a loopback proxy
 * (`tools/chaos_proxy.ts`) that the test can cut. Every wait is on an event or an ack,
 * bounded by a guard timeout that only fails the test.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ConstantBackoff } from "../../src/core/backoff.ts";
import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import type { RealtimeManagerOptions } from "../../src/client/realtime_manager_options.ts";
import type {
  MemberEvent,
  RealtimeMessage,
  ResyncEvent,
} from "../../src/client/realtime_events.ts";
import { RealtimeError } from "../../src/client/realtime_error.ts";
import { tokenProtocols } from "../../src/protocol/mod.ts";
import type { ConnectionError } from "../../src/socket/connection_error.ts";
import { WebSocketChannel } from "../../src/client/websocket_channel.ts";
import { type Proxy, startProxy } from "../../tools/chaos_proxy.ts";
import type { RunningServer } from "../../tools/servers.ts";

/** A relay server under test. */
export interface ConformanceServer {
  /** The WebSocket endpoint, `ws://127.0.0.1:PORT/ws`. */
  url: string;
  /** The HTTP origin, `http://127.0.0.1:PORT`. */
  httpUrl: string;
  /** Stops the server and everything it started. */
  stop(): Promise<void>;
  /** Stops the relay and starts a fresh one on the same port. */
  restart(): Promise<void>;
}

/** Starts a server configured by the example relay's `LIFELINE_*` variables. */
export type StartServer = (
  env: Record<string, string>,
) => Promise<ConformanceServer>;

/**
 * Makes a {@linkcode StartServer} of a function that starts a server from
 * the example relay's variables: a restart stops it and starts it again with
 * `PORT` set to the port it had.
 */
export function restartOnSamePort(
  start: (env: Record<string, string>) => Promise<RunningServer>,
): StartServer {
  return async (env) => {
    let server = await start(env);
    const port = new URL(server.httpUrl).port;
    return {
      url: server.url,
      httpUrl: server.httpUrl,
      stop: () => server.stop(),
      async restart() {
        await server.stop();
        server = await start({ ...env, PORT: port });
      },
    };
  };
}

/** The settings every conformance server runs with. */
export const CONFORMANCE_ENV: Readonly<Record<string, string>> = {
  LIFELINE_TOKENS: [
    "t-alice:alice",
    "t-bob:bob",
    "t-carol:carol",
    "t-dave:dave",
    "t-eve:eve",
    "t-anon",
  ].join(","),
  LIFELINE_MAX_CHANNELS: "8",
  // Slow enough that the flood in "limits" outruns the refill however
  // slowly a loaded machine lets the relay read it: 30 frames past the
  // burst take 6 s to earn back.
  LIFELINE_RATE: "5",
  LIFELINE_HISTORY_SIZE: "3",
  LIFELINE_BURST: "120",
  LIFELINE_FRAME_BYTES: "65536",
  LIFELINE_ADMIN_TOKEN: "conformance-admin",
};

const FRAME_BYTES = Number(CONFORMANCE_ENV.LIFELINE_FRAME_BYTES);
/** Guard for every wait: only a broken server or client ever reaches it. */
const GUARD_MS = 10_000;

/** Registers the conformance test of the server `start` starts. */
export function conformance(name: string, start: StartServer): void {
  Deno.test(`conformance: ${name}`, async (t) => {
    const server = await start({ ...CONFORMANCE_ENV });
    try {
      for (const [title, scenario] of SCENARIOS) {
        await t.step(title, async () => {
          await using clients = new Clients(server);
          await scenario(clients, server);
        });
      }
    } finally {
      await server.stop();
    }
  });
}

// ---------------------------------------------------------------- helpers

/** The clients and proxies of one scenario, all closed at its end. */
class Clients implements AsyncDisposable {
  #server: ConformanceServer;
  #managers: RealtimeManager[] = [];
  #proxies: Proxy[] = [];
  #disposables: AsyncDisposable[] = [];

  constructor(server: ConformanceServer) {
    this.#server = server;
  }

  /** The server's WebSocket endpoint. */
  get url(): string {
    return this.#server.url;
  }

  /** A manager, not yet connected. */
  manager(
    token: string | undefined,
    options: RealtimeManagerOptions & { url?: string } = {},
  ): RealtimeManager {
    const { url = this.#server.url, ...rest } = options;
    const manager = new RealtimeManager(url, {
      token,
      backoff: new ConstantBackoff(50),
      ackTimeout: 5_000,
      ...rest,
    });
    this.#managers.push(manager);
    return manager;
  }

  /** A connected manager. */
  async connect(
    token: string,
    options: RealtimeManagerOptions & { url?: string } = {},
  ): Promise<RealtimeManager> {
    const manager = this.manager(token, options);
    await connected(manager);
    return manager;
  }

  /** A connected manager behind its own proxy, which the test may cut. */
  async behindProxy(
    token: string,
    options: RealtimeManagerOptions = {},
  ): Promise<[RealtimeManager, Proxy]> {
    const proxy = startProxy(this.#server.url);
    this.#proxies.push(proxy);
    const manager = await this.connect(token, { ...options, url: proxy.url });
    return [manager, proxy];
  }

  /** Closes `disposable` with the rest at the end of the scenario. */
  use<T extends AsyncDisposable>(disposable: T): T {
    this.#disposables.push(disposable);
    return disposable;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all([
      ...this.#managers.map((m) => m.close()),
      ...this.#disposables.map((d) => d[Symbol.asyncDispose]()),
    ]);
    await Promise.all(this.#proxies.map((p) => p.stop()));
  }
}

/** Resolves with the first value `register` hands its listener that passes `predicate`. */
export function until<T>(
  register: (listener: (value: T) => void) => () => void,
  predicate: (value: T) => boolean = () => true,
  what = "an event",
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const guard = setTimeout(() => {
      off();
      reject(new Error(`Timed out waiting for ${what}`));
    }, GUARD_MS);
    const off = register((value) => {
      if (!predicate(value)) return;
      clearTimeout(guard);
      off();
      resolve(value);
    });
  });
}

export function connected(manager: RealtimeManager): Promise<void> {
  if (manager.isConnected()) return Promise.resolve();
  return until<void>((l) => manager.onConnect(l), undefined, "a welcome")
    .then(() => {});
}

/** The messages of one event that a manager hears, with a way to wait for the n-th. */
export class Inbox {
  readonly messages: RealtimeMessage[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(manager: RealtimeManager, event: string) {
    manager.on(event, (message) => {
      this.messages.push(message);
      this.#waiters = this.#waiters.filter((w) => {
        if (this.messages.length < w.count) return true;
        w.resolve();
        return false;
      });
    });
  }

  get data(): unknown[] {
    return this.messages.map((m) => m.message);
  }

  /** Resolves once `count` messages arrived. */
  async count(count: number): Promise<unknown[]> {
    if (this.messages.length < count) {
      await until<void>(
        (l) => {
          const waiter = { count, resolve: () => l() };
          this.#waiters.push(waiter);
          return () => {
            this.#waiters = this.#waiters.filter((w) => w !== waiter);
          };
        },
        undefined,
        `${count} messages`,
      );
    }
    return this.data;
  }
}

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  let guard: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    guard = setTimeout(
      () => reject(new Error(`Timed out waiting for a '${code}' rejection`)),
      GUARD_MS,
    );
  });
  try {
    await assert.rejects(Promise.race([promise, timeout]), (error: unknown) => {
      assert.ok(error instanceof RealtimeError, String(error));
      assert.equal(error.code, code);
      return true;
    });
  } finally {
    clearTimeout(guard);
  }
}

/** A raw WebSocket, for frames the client library would never send. */
export class RawSocket implements AsyncDisposable {
  readonly ws: WebSocket;
  readonly received: string[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseEvent>;

  constructor(url: string, protocols?: string[]) {
    this.ws = new WebSocket(url, protocols);
    this.ws.binaryType = "arraybuffer";
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = () => reject(new Error("raw socket failed"));
    });
    this.closed = new Promise((resolve) => this.ws.onclose = resolve);
    this.ws.onmessage = (event) => {
      if (typeof event.data === "string") this.received.push(event.data);
    };
  }

  /** The decoded JSON frames received so far. */
  frames(): Record<string, unknown>[] {
    return this.received.filter((s) => s.startsWith("{")).map((s) =>
      JSON.parse(s)
    );
  }

  /** Resolves once a frame passes `predicate`. */
  async frame(
    predicate: (frame: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown>> {
    for (;;) {
      const found = this.frames().find(predicate);
      if (found) return found;
      await until<void>(
        (l) => {
          const listener = () => l();
          this.ws.addEventListener("message", listener);
          return () => this.ws.removeEventListener("message", listener);
        },
        undefined,
        "a relay frame",
      );
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close();
    await this.closed;
  }
}

// ---------------------------------------------------------------- scenarios

type Scenario = [
  title: string,
  run: (clients: Clients, server: ConformanceServer) => Promise<void>,
];

const SCENARIOS: Scenario[] = [
  [
    "connects, joins, publishes and hears with the sender's id",
    async (clients) => {
      const alice = await clients.connect("t-alice");
      const bob = await clients.connect("t-bob");
      assert.equal(alice.isConnected(), true);
      assert.match(alice.getSocketId() ?? "", /./);
      assert.notEqual(alice.getSocketId(), bob.getSocketId());
      await alice.join("room");
      await bob.join("room");
      const heard = new Inbox(bob, "chat");
      await alice.send("room", "chat", { text: "hi" });
      await heard.count(1);
      assert.deepEqual(heard.messages[0], {
        channel: "room",
        event: "chat",
        message: { text: "hi" },
        senderId: alice.getSocketId(),
        offset: 1,
      });
    },
  ],
  [
    "rejoins every channel after the relay restarts",
    async (clients, server) => {
      const alice = await clients.connect("t-alice", { profile: "A" });
      const bob = await clients.connect("t-bob");
      await alice.join("room");
      await alice.join("other");
      await bob.join("room");
      const bobHeard = new Inbox(bob, "chat");
      const back = Promise.all([
        until<void>((l) => alice.onConnect(l), undefined, "alice back"),
        until<void>((l) => bob.onConnect(l), undefined, "bob back"),
      ]);
      back.catch(() => {}); // awaited below, after the restart
      await server.restart();
      await back;
      await bob.join("room"); // settles once bob's rejoin is acknowledged
      await alice.send("room", "chat", "after restart");
      assert.deepEqual(await bobHeard.count(1), ["after restart"]);
      const members = await bob.getMembers("room");
      assert.equal(members.length, 2);
      assert.deepEqual(
        members.find((m) => m.id === alice.getSocketId())?.data,
        "A",
      );
      assert.equal((await alice.getMembers("other")).length, 1);
    },
  ],
  [
    "echo per call on the live path",
    async (clients) => {
      const alice = await clients.connect("t-alice");
      const bob = await clients.connect("t-bob", { echoMessages: false });
      await alice.join("room");
      await bob.join("room");
      const aliceHeard = new Inbox(alice, "chat");
      const bobHeard = new Inbox(bob, "chat");
      await alice.send("room", "chat", "a1", false);
      await alice.send("room", "chat", "a2");
      await bob.send("room", "chat", "b1");
      await bob.send("room", "chat", "b2", true);
      assert.deepEqual(await aliceHeard.count(3), ["a2", "b1", "b2"]);
      assert.deepEqual(await bobHeard.count(3), ["a1", "a2", "b2"]);
    },
  ],
  [
    "a subscriber cut off gets every message it missed, once, in order",
    async (clients) => {
      const [bob, proxy] = await clients.behindProxy("t-bob");
      const alice = await clients.connect("t-alice");
      await bob.join("feed");
      await alice.join("feed");
      const bobHeard = new Inbox(bob, "chat");
      await alice.send("feed", "chat", 1);
      await bobHeard.count(1);
      const down = until<string>((l) => bob.onDisconnect(l));
      proxy.refuse = true;
      await proxy.cut();
      await down;
      for (const n of [2, 3, 4]) await alice.send("feed", "chat", n);
      const back = connected(bob);
      proxy.refuse = false;
      await back;
      await bob.join("feed"); // settles with the rejoin
      await alice.send("feed", "chat", 5);
      assert.deepEqual(await bobHeard.count(5), [1, 2, 3, 4, 5]);
      assert.deepEqual(bobHeard.messages.map((m) => m.offset), [1, 2, 3, 4, 5]);
      // Past the history (LIFELINE_HISTORY_SIZE is 3): a resync, not a gap.
      const resync = until<ResyncEvent>((l) => bob.onResync(l));
      const again = until<string>((l) => bob.onDisconnect(l));
      proxy.refuse = true;
      await proxy.cut();
      await again;
      for (const n of [6, 7, 8, 9]) await alice.send("feed", "chat", n);
      proxy.refuse = false;
      assert.deepEqual(await resync, {
        channel: "feed",
        reason: "too_far_behind",
      });
      await alice.send("feed", "chat", 10);
      assert.deepEqual((await bobHeard.count(6)).slice(5), [10]);
    },
  ],
  [
    "buffered publishes keep their echo and reach every member after a reconnect",
    async (clients) => {
      const [alice, proxy] = await clients.behindProxy("t-alice");
      const bob = await clients.connect("t-bob");
      await alice.join("room");
      await bob.join("room");
      const aliceHeard = new Inbox(alice, "chat");
      const bobHeard = new Inbox(bob, "chat");
      const down = until<string>((l) => alice.onDisconnect(l));
      proxy.refuse = true;
      await proxy.cut();
      await down;
      assert.equal(alice.isConnected(), false);
      const sends = [
        alice.send("room", "chat", "quiet", false),
        alice.send("room", "chat", "loud"),
        alice.send("room", "chat", "last", true),
      ];
      const back = connected(alice);
      proxy.refuse = false;
      await back;
      await Promise.all(sends);
      assert.deepEqual(await bobHeard.count(3), ["quiet", "loud", "last"]);
      await bob.send("room", "chat", "marker");
      assert.deepEqual(await aliceHeard.count(3), ["loud", "last", "marker"]);
    },
  ],
  [
    "bufferMessages off rejects publishes while disconnected",
    async (clients) => {
      const [alice, proxy] = await clients.behindProxy("t-alice", {
        bufferMessages: false,
      });
      await alice.join("room");
      const down = until<string>((l) => alice.onDisconnect(l));
      proxy.refuse = true;
      await proxy.cut();
      await down;
      await rejects(alice.send("room", "chat", 1), "not_connected");
      await rejects(alice.broadcast("chat", 1), "not_connected");
      const back = connected(alice);
      proxy.refuse = false;
      await back;
      await alice.send("room", "chat", 2);
    },
  ],
  [
    "presence on join, leave, disconnect and updateProfile",
    async (clients) => {
      const alice = await clients.connect("t-alice", {
        profile: { name: "Alice" },
      });
      const bob = await clients.connect("t-bob", { profile: { name: "Bob" } });
      await alice.join("room");
      const bobId = bob.getSocketId();
      const events: string[] = [];
      const record = (kind: string) => (e: MemberEvent) => {
        if (e.member.id !== bobId) return; // alice's own join echo
        events.push(`${kind} ${e.channel} ${JSON.stringify(e.member.data)}`);
      };
      alice.onJoin(record("join"));
      alice.onUpdate(record("update"));
      alice.onLeave(record("leave"));
      const bobSelf: string[] = [];
      bob.onAny((name) => bobSelf.push(name));

      const fromBob = (e: MemberEvent) => e.member.id === bobId;
      let seen = until<MemberEvent>((l) => alice.onJoin(l), fromBob);
      await bob.join("room");
      await seen;
      seen = until<MemberEvent>((l) => alice.onUpdate(l), fromBob);
      await bob.updateProfile({ name: "Bobby" }, false);
      await seen;
      seen = until<MemberEvent>((l) => alice.onLeave(l), fromBob);
      await bob.leave("room");
      await seen;
      seen = until<MemberEvent>((l) => alice.onJoin(l), fromBob);
      await bob.join("room", false);
      await seen;
      seen = until<MemberEvent>((l) => alice.onLeave(l), fromBob);
      await bob.close();
      await seen;
      assert.deepEqual(events, [
        'join room {"name":"Bob"}',
        'update room {"name":"Bobby"}',
        'leave room {"name":"Bobby"}',
        'join room {"name":"Bobby"}',
        'leave room {"name":"Bobby"}',
      ]);
      // Bob heard his own first join and leave (echo on), not the others.
      assert.deepEqual(bobSelf, ["channel:join", "channel:leave"]);
    },
  ],
  [
    "one user with two connections is two members",
    async (clients) => {
      const first = await clients.connect("t-alice", { profile: { n: 1 } });
      const second = await clients.connect("t-alice", { profile: { n: 2 } });
      await first.join("room");
      await second.join("room");
      const members = await first.getMembers("room");
      assert.deepEqual(
        members.map((m) => m.id).sort(),
        [first.getSocketId(), second.getSocketId()].sort(),
      );
      assert.deepEqual(
        members.map((m) => m.data).sort((a, b) =>
          (a as { n: number }).n - (b as { n: number }).n
        ),
        [{ n: 1 }, { n: 2 }],
      );
    },
  ],
  [
    "getMembers stays exact under churn",
    async (clients) => {
      const observer = await clients.connect("t-alice");
      await observer.join("churn");
      const me = observer.getSocketId();
      const churner = await clients.connect("t-bob");
      for (let i = 0; i < 10; i++) {
        await churner.join("churn");
        const joined = await observer.getMembers("churn");
        assert.deepEqual(
          joined.map((m) => m.id).sort(),
          [me, churner.getSocketId()].sort(),
        );
        await churner.leave("churn");
        const left = await observer.getMembers("churn");
        assert.deepEqual(left.map((m) => m.id), [me]);
      }
      const crowd = await Promise.all(
        ["t-carol", "t-dave", "t-eve", "t-anon", "t-bob"].map((token) =>
          clients.connect(token)
        ),
      );
      await Promise.all(crowd.map((c) => c.join("churn")));
      assert.equal((await observer.getMembers("churn")).length, 6);
      let leaves = 0;
      const allLeft = until<MemberEvent>(
        (l) => observer.onLeave(l),
        () => ++leaves === crowd.length,
        "the crowd to leave",
      );
      await Promise.all(crowd.map((c) => c.close()));
      await allLeft;
      assert.deepEqual(
        (await observer.getMembers("churn")).map((m) => m.id),
        [me],
      );
    },
  ],
  [
    "broadcast reaches connections joined to nothing",
    async (clients) => {
      const alice = await clients.connect("t-alice");
      const bob = await clients.connect("t-bob");
      const carol = await clients.connect("t-carol");
      await carol.join("elsewhere");
      const bobHeard = new Inbox(bob, "news");
      const carolHeard = new Inbox(carol, "news");
      const aliceHeard = new Inbox(alice, "news");
      await alice.broadcast("news", "first", false);
      await alice.broadcast("news", "second");
      assert.deepEqual(await bobHeard.count(2), ["first", "second"]);
      assert.deepEqual(await carolHeard.count(2), ["first", "second"]);
      assert.equal(bobHeard.messages[0].channel, null);
      assert.deepEqual(await aliceHeard.count(1), ["second"]);
    },
  ],
  [
    "limits: too_many_channels, rate_limited, bad_channel, too_large",
    async (clients) => {
      const alice = await clients.connect("t-alice");
      for (let i = 0; i < 8; i++) await alice.join(`c${i}`);
      await rejects(alice.join("c8"), "too_many_channels");
      await rejects(alice.join("has space"), "bad_channel");
      await rejects(
        alice.send("c0", "chat", "x".repeat(FRAME_BYTES)),
        "too_large",
      );
      const bob = await clients.connect("t-bob");
      await bob.join("room");
      const results = await Promise.allSettled(
        Array.from({ length: 150 }, (_, i) => bob.send("room", "flood", i)),
      );
      const codes = new Set(
        results.map((r) =>
          r.status === "fulfilled" ? "ok" : (r.reason as RealtimeError).code
        ),
      );
      assert.deepEqual([...codes].sort(), ["ok", "rate_limited"]);
      // The relay's own check, for a client that skips the local one.
      await using raw = clients.use(
        new RawSocket(`${clients.url}?token=t-carol`),
      );
      await raw.opened;
      raw.ws.send('{"type":"hello","v":1}');
      raw.ws.send('{"type":"join","ref":7,"channel":"bad name"}');
      const ack = await raw.frame((f) => f.ref === 7 && f.type === "ack");
      assert.equal((ack.error as { code: string }).code, "bad_channel");
    },
  ],
  [
    "auth: a missing or wrong token is refused",
    async (clients, server) => {
      for (const query of ["", "?token=nope"]) {
        const response = await fetch(`${server.httpUrl}/ws${query}`, {
          headers: { upgrade: "websocket" },
        });
        await response.body?.cancel();
        assert.equal(response.status, 401);
      }
      // A 401 is fatal: no retry, and what waited says why.
      const errors: Error[] = [];
      const intruder = clients.manager("nope");
      intruder.onError((e) => errors.push(e));
      const refused = intruder.join("room");
      await rejects(refused, "closed");
      const cause = await refused.catch((e: Error) => e.cause);
      assert.equal((cause as ConnectionError).status, 401);
      assert.equal(intruder.isConnected(), false);
      assert.deepEqual(errors, [cause]);
      // The token travels as a subprotocol; the relay answers lifeline.
      await using raw = clients.use(
        new RawSocket(clients.url, tokenProtocols("t-carol")),
      );
      await raw.opened;
      assert.equal(raw.ws.protocol, "lifeline");
      const provided = await clients.connect(
        undefined as unknown as string,
        { token: () => Promise.resolve("t-carol") },
      );
      await provided.join("room");
    },
  ],
  [
    "the banner's URL without /ws gets a 404, and the manager stops with it",
    async (clients) => {
      const wrong = clients.manager("t-alice", {
        url: clients.url.replace(/\/ws$/, ""),
      });
      const join = wrong.join("room");
      await rejects(join, "closed");
      const cause = await join.catch((e: Error) => e.cause);
      assert.equal((cause as ConnectionError).code, "handshake_failed");
      assert.equal((cause as ConnectionError).status, 404);
    },
  ],
  [
    "a publish whose ack was lost is resent and delivered once",
    async (clients, server) => {
      const [alice, proxy] = await clients.behindProxy("t-alice");
      const bob = await clients.connect("t-bob");
      await alice.join("room");
      await bob.join("room");
      const heard = new Inbox(bob, "chat");
      const before = await stats(server);
      proxy.mute = true; // the relay's answers to alice are lost from now on
      const sent = alice.send("room", "chat", "once", false);
      await heard.count(1);
      const down = until<string>((l) => alice.onDisconnect(l));
      await proxy.cut();
      proxy.mute = false;
      await down;
      await sent;
      await alice.send("room", "chat", "after", false);
      assert.deepEqual(await heard.count(2), ["once", "after"]);
      const after = await stats(server);
      assert.equal(after.duplicates - before.duplicates, 1);
    },
  ],
  [
    "onUserEvent hears events sent to the user",
    async (clients, server) => {
      const alice = await clients.connect("t-alice");
      const alsoAlice = await clients.connect("t-alice");
      const named = until<unknown>((l) => alice.onUserEvent("invoice", l));
      const any = until<unknown>((l) => alsoAlice.onUserEvent(l));
      const sent = await sendToUser(server, "alice", {
        event: "invoice",
        data: { total: 3 },
      });
      assert.deepEqual(sent, { delivered: 2 });
      const expected = { event: "invoice", message: { total: 3 } };
      assert.deepEqual(await named, expected);
      assert.deepEqual(await any, expected);
    },
  ],
  [
    "malformed frames leave the relay serving everyone else",
    async (clients) => {
      const alice = await clients.connect("t-alice");
      const bob = await clients.connect("t-bob");
      await alice.join("room");
      await bob.join("room");
      const url = `${clients.url}?token=t-eve`;
      const junk: (string | Uint8Array)[] = [
        crypto.getRandomValues(new Uint8Array(64)),
        "not json",
        "[1,2,3]",
        '{"type":"join","channel":"room"}', // before hello
        '{"type":"hello","v":1}',
        '{"type":"nope","ref":1}',
        '{"type":"join","ref":2,"channel":5}',
        '{"type":"pub","ref":3,"channel":"room","event":""}',
        '{"type":"pub","ref":"x","channel":null,"event":"e"}',
        "\u0000\uffff",
      ];
      await using garbage = clients.use(new RawSocket(url));
      await garbage.opened;
      for (const frame of junk) garbage.ws.send(frame);
      await garbage.frame((f) => f.ref === 3);
      assert.ok(garbage.frames().some((f) => f.type === "error"));
      await using oversize = clients.use(new RawSocket(url));
      await oversize.opened;
      oversize.ws.send('{"type":"hello","v":1}');
      oversize.ws.send("x".repeat(FRAME_BYTES + 1));
      assert.equal((await oversize.closed).code, 1009);
      await using flood = clients.use(new RawSocket(url));
      await flood.opened;
      for (let i = 0; i < 30; i++) flood.ws.send(`garbage ${i}`);
      assert.equal((await flood.closed).code, 1008);
      const heard = new Inbox(bob, "chat");
      await alice.send("room", "chat", "still here");
      assert.deepEqual(await heard.count(1), ["still here"]);
    },
  ],
  [
    "close() and open(), with presence and the channel view",
    async (clients) => {
      const alice = await clients.connect("t-alice");
      const bob = await clients.connect("t-bob");
      const room = alice.channel("room");
      await room.connect();
      assert.equal(room.isConnected, true);
      await bob.join("room");
      const iterator = room.messages[Symbol.asyncIterator]();
      await bob.send("room", "chat", "to the view");
      const { value } = await iterator.next();
      assert.equal(value.payload, "to the view");
      assert.equal(value.type, "chat");
      await iterator.return!();
      const left = until<MemberEvent>((l) => bob.onLeave(l));
      await alice.close();
      assert.equal(alice.isConnected(), false);
      assert.equal(alice.getSocketId(), null);
      assert.equal(room.isConnected, false);
      await left;
      const joined = until<MemberEvent>((l) => bob.onJoin(l));
      alice.open();
      await connected(alice);
      await joined; // the view's channel was joined again
      await room.status.until((s) => s.type === "connected");
      await room.send("back", { type: "chat" });
      await room.dispose();
    },
  ],
  [
    "WebSocketChannel connects, sends and disposes",
    async (clients, server) => {
      const bob = await clients.connect("t-bob");
      await bob.join("lobby");
      const channel = clients.use(
        new WebSocketChannel({
          url: server.url,
          channelId: "lobby",
          token: "t-carol",
          reconnectDelay: 50,
        }),
      );
      await channel.connect();
      const heard = new Inbox(bob, "shout");
      await channel.send("hey", { type: "shout" });
      await heard.count(1);
      assert.equal(heard.messages[0].senderId, channel.socketId);
    },
  ],
];

/** Sends a user event through the relay's admin route. */
async function sendToUser(
  server: ConformanceServer,
  userId: string,
  body: { event: string; data?: unknown },
): Promise<unknown> {
  const response = await fetch(
    `${server.httpUrl}/users/${encodeURIComponent(userId)}/events`,
    {
      method: "POST",
      headers: {
        authorization: `Bearer ${CONFORMANCE_ENV.LIFELINE_ADMIN_TOKEN}`,
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
    },
  );
  assert.equal(response.status, 200);
  return await response.json();
}

async function stats(
  server: ConformanceServer,
): Promise<{ duplicates: number }> {
  // The relay wants client tokens, so /stats wants the admin token.
  const response = await fetch(`${server.httpUrl}/stats`, {
    headers: {
      authorization: `Bearer ${CONFORMANCE_ENV.LIFELINE_ADMIN_TOKEN}`,
    },
  });
  assert.equal(response.status, 200);
  return await response.json();
}

/**
 * The client library run by another runtime, against a relay that a Deno
 * test started: `bun tests/runtimes/_bun_client.ts RELAY_URL PROXY_URL
 * CONTROL_URL`. It uses only the library and web-standard APIs (plus
 * `node:process` to exit, which every runtime has), so it is the same code
 * on any of them; `bun_client_test.ts` runs it with Bun.
 *
 * - `RELAY_URL`: the relay's WebSocket endpoint.
 * - `PROXY_URL`: the same relay through a chaos proxy.
 * - `CONTROL_URL`: `POST /cut` cuts the proxy's connections and refuses new
 *   ones; `POST /restore` lets them through again.
 *
 * It prints one JSON line, a {@linkcode ClientReport}, and exits 0 once
 * everything it started is closed; on a failure or after
 * {@linkcode OVERALL_TIMEOUT_MS} it prints the report so far with `error`
 * set and exits 1. It only observes; the test asserts.
 *
 * @module
 */

import process from "node:process";
import {
  ConstantBackoff,
  type MemberEvent,
  RealtimeManager,
  type RealtimeMessage,
  ReconnectingWebSocket,
} from "../../mod.ts";
import {
  decodeRelayFrame,
  encodeFrame,
  PING,
  PONG,
  PROTOCOL_VERSION,
  type RelayFrame,
  tokenProtocols,
} from "../../src/protocol/mod.ts";

/** What the script saw, printed as one JSON line. */
export interface ClientReport {
  /** `navigator.userAgent`: `Bun/1.x` under Bun. */
  runtime: string;
  /** The step that was running when `error` happened. */
  step: string;
  /** Why the script failed; absent on success. */
  error?: string;
  /** Milliseconds each step took. */
  timings: Record<string, number>;
  /** The `ReconnectingWebSocket` that sent headers and a token subprotocol. */
  socket?: {
    /** The subprotocol the relay chose. */
    protocol: string;
    /** The `welcome` frame's `session`, answering a raw `hello`. */
    session: unknown;
    /** The messages heard after sending `ping`. */
    afterPing: unknown[];
    /** The state once `close()` resolved. */
    closed: string;
    /** What its WebSocket-style listeners heard, in order. */
    events: string[];
    /** `readyState` once `close()` resolved, and the `CLOSED` constant. */
    readyState: number;
    CLOSED: number;
  };
  /** Two `RealtimeManager`s in one channel. */
  managers?: {
    aliceId: string | null;
    bobId: string | null;
    /** Bob's join, as alice saw it. */
    bobJoin: { id: string; data: unknown };
    /** Alice's own message, as she heard it. */
    echo: RealtimeMessage;
    /** Alice's message, as bob heard it. */
    heard: RealtimeMessage;
    /** `getMembers("room")` by alice: ids, in the relay's order. */
    members: { id: string; data: unknown }[];
  };
  /** Bob's connection cut while he publishes three messages. */
  drop?: {
    /** The reason bob's `onDisconnect` gave. */
    reason: string;
    /** Whether bob was connected right after his three publishes. */
    connectedWhileSending: boolean;
    /** Bob's id once he is back. */
    bobIdAfter: string | null;
    /** Every message alice heard from bob after the cut, up to the marker. */
    heard: { message: unknown; senderId: string | null }[];
    /** Presence events alice saw for bob after the cut. */
    presence: string[];
  };
}

/** The longest the whole script may run. */
export const OVERALL_TIMEOUT_MS = 30_000;
/** The longest one wait may take. */
const WAIT_MS = 10_000;

const [relayUrl, proxyUrl, controlUrl] = process.argv.slice(2);
const report: ClientReport = {
  runtime: navigator.userAgent,
  step: "start",
  timings: {},
};
// Sent with every upgrade, so the relay sees which runtime connected.
const headers = { "x-lifeline-client": navigator.userAgent };

function fail(): never {
  console.log(JSON.stringify(report));
  process.exit(1);
}

const watchdog = setTimeout(() => {
  report.error = `timed out after ${OVERALL_TIMEOUT_MS} ms`;
  fail();
}, OVERALL_TIMEOUT_MS);

/** Resolves with the first value `register` hands its listener that passes `predicate`. */
function until<T>(
  what: string,
  register: (listener: (value: T) => void) => () => void,
  predicate: (value: T) => boolean = () => true,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const guard = setTimeout(() => {
      off();
      reject(new Error(`Timed out after ${WAIT_MS} ms waiting for ${what}`));
    }, WAIT_MS);
    const off = register((value) => {
      if (!predicate(value)) return;
      clearTimeout(guard);
      off();
      resolve(value);
    });
  });
}

function connected(manager: RealtimeManager, what: string): Promise<void> {
  if (manager.isConnected()) return Promise.resolve();
  return until<void>(what, (l) => manager.onConnect(l)).then(() => {});
}

/** The error and its causes, one after the other. */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e !== undefined && depth < 5; depth++) {
    parts.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(" <- ");
}

async function control(action: "cut" | "restore"): Promise<void> {
  const response = await fetch(new URL(action, controlUrl), {
    method: "POST",
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`POST /${action}: ${response.status}`);
}

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  report.step = name;
  const start = performance.now();
  const result = await run();
  report.timings[name] = Math.round(performance.now() - start);
  return result;
}

async function socketSteps(): Promise<void> {
  // partysocket's constructor and listeners, as its users write them.
  const socket = new ReconnectingWebSocket(relayUrl, tokenProtocols("t-raw"), {
    headers,
    keepalive: false,
    maxRetries: 0,
  });
  const events: string[] = [];
  socket.onopen = () => events.push("open");
  socket.onmessage = (event) => events.push(`message ${event.data}`);
  socket.addEventListener(
    "close",
    (event) => events.push(`close ${event.code}`),
  );
  try {
    await socket.ready({ timeout: WAIT_MS });
    const welcome = until<RelayFrame>(
      "a welcome",
      (l) =>
        socket.messages.subscribe((data) => {
          const decoded = typeof data === "string"
            ? decodeRelayFrame(data)
            : undefined;
          if (decoded?.ok) l(decoded.frame);
        }),
      (frame) => frame.type === "welcome",
    );
    socket.send(encodeFrame({ type: "hello", ref: 1, v: PROTOCOL_VERSION }));
    const frame = await welcome;
    const session = frame.type === "welcome" ? frame.session : undefined;
    const afterPing: unknown[] = [];
    const pong = until<unknown>(
      "a pong",
      (l) =>
        socket.messages.subscribe((data) => {
          afterPing.push(data);
          l(data);
        }),
      (data) => data === PONG,
    );
    socket.send(PING);
    await pong;
    report.socket = {
      protocol: socket.protocol,
      session,
      afterPing,
      closed: "",
      events,
      readyState: -1,
      CLOSED: ReconnectingWebSocket.CLOSED,
    };
  } finally {
    await socket.close();
  }
  report.socket.closed = socket.connection.value.type;
  report.socket.readyState = socket.readyState;
}

async function managerSteps(): Promise<void> {
  const options = {
    headers,
    backoff: new ConstantBackoff(50),
    ackTimeout: 5_000,
  };
  const alice = new RealtimeManager(relayUrl, {
    ...options,
    token: "t-alice",
    profile: { name: "alice" },
  });
  const bob = new RealtimeManager(proxyUrl, {
    ...options,
    token: "t-bob",
    profile: { name: "bob" },
  });
  try {
    await step("managers", async () => {
      await connected(alice, "alice to connect");
      await connected(bob, "bob to connect");
      await alice.join("room");
      const isBob = (e: MemberEvent) => e.member.id === bob.getSocketId();
      const bobJoin = until<MemberEvent>(
        "alice to see bob join",
        (l) => alice.onJoin(l),
        isBob,
      );
      await bob.join("room");
      const { member } = await bobJoin;
      const echo = until<RealtimeMessage>(
        "alice's echo",
        (l) => alice.on("chat", l),
      );
      const heard = until<RealtimeMessage>(
        "bob to hear alice",
        (l) => bob.on("chat", l),
      );
      await alice.send("room", "chat", { text: "hi from alice" });
      report.managers = {
        aliceId: alice.getSocketId(),
        bobId: bob.getSocketId(),
        bobJoin: { id: member.id, data: member.data },
        echo: await echo,
        heard: await heard,
        members: (await alice.getMembers("room")).map(({ id, data }) => ({
          id,
          data,
        })),
      };
    });

    await step("drop", async () => {
      const bobId = bob.getSocketId();
      const presence: string[] = [];
      const record = (kind: string) => (e: MemberEvent) => {
        if (e.member.id === bobId || e.member.id === bob.getSocketId()) {
          presence.push(kind);
        }
      };
      const offPresence = [
        alice.onJoin(record("join")),
        alice.onLeave(record("leave")),
      ];
      const fromBob: { message: unknown; senderId: string | null }[] = [];
      const marker = until<RealtimeMessage>(
        "the marker after bob's offline messages",
        (l) =>
          alice.on("chat", (m) => {
            if (m.senderId === alice.getSocketId()) return;
            fromBob.push({ message: m.message, senderId: m.senderId });
            l(m);
          }),
        (m) => m.message === "marker",
      );
      marker.catch(() => {}); // awaited below, unless an earlier step failed
      try {
        const down = until<string>(
          "bob to disconnect",
          (l) => bob.onDisconnect(l),
        );
        await control("cut");
        const reason = await down;
        const sends = ["offline 1", "offline 2", "offline 3"].map((text) =>
          bob.send("room", "chat", text)
        );
        const connectedWhileSending = bob.isConnected();
        const back = connected(bob, "bob to reconnect");
        await control("restore");
        await back;
        await Promise.all(sends);
        await bob.send("room", "chat", "marker");
        await marker;
        report.drop = {
          reason,
          connectedWhileSending,
          bobIdAfter: bob.getSocketId(),
          heard: fromBob,
          presence,
        };
      } finally {
        for (const off of offPresence) off();
      }
    });
  } finally {
    await Promise.all([alice.close(), bob.close()]);
  }
}

try {
  if (!relayUrl || !proxyUrl || !controlUrl) {
    throw new Error(
      "Usage: _bun_client.ts RELAY_URL PROXY_URL CONTROL_URL",
    );
  }
  await step("socket", socketSteps);
  await managerSteps();
  report.step = "done";
} catch (error) {
  report.error = describe(error);
}
clearTimeout(watchdog);
if (report.error !== undefined) fail();
// No exit call on success: the process ends once the event loop is empty,
// so a timer or socket the library failed to release keeps it alive and
// the test, which bounds the process, says so.
console.log(JSON.stringify(report));

/**
 * The chat demo, `deno task demo`: a relay in this process, three people in
 * a channel, and a network that fails one of them. Carol keeps typing while
 * she is offline; her messages arrive, in order, once she is back, and she
 * catches up on what Alice and Bob said meanwhile (the relay's channel
 * history). Prints a transcript and exits.
 *
 * @module
 */

import { ConstantBackoff } from "../src/core/backoff.ts";
import { RealtimeManager } from "../src/client/realtime_manager.ts";
import { Relay } from "../src/relay/mod.ts";
import { denoRelay } from "../src/relay/adapters/deno.ts";
import { startProxy } from "../tools/chaos_proxy.ts";

const CHANNEL = "lobby";

const lifeline = denoRelay(new Relay());
const { promise: listening, resolve } = Promise.withResolvers<number>();
const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => resolve(port),
}, lifeline.fetch);
const url = `ws://127.0.0.1:${await listening}/ws`;
console.log(`relay listening on ${url}\n`);

// Carol's network: a proxy the demo can cut.
const network = startProxy(url);

const names = new Map<string, string>(); // session id → name
const nameOf = (id: string | null): string =>
  id === null ? "server" : names.get(id) ?? id.slice(0, 8);

function person(name: string, endpoint: string): RealtimeManager {
  const manager = new RealtimeManager(endpoint, {
    profile: { name },
    echoMessages: false,
    backoff: new ConstantBackoff(100),
  });
  const say = (line: string) => console.log(`  [${name}] ${line}`);
  manager.onConnect(() => {
    names.set(manager.getSocketId()!, name);
    say(`connected`);
  });
  manager.onDisconnect((reason) => say(`disconnected (${reason})`));
  manager.onJoin(({ channel, member }) =>
    say(`sees ${(member.data as { name: string }).name} join #${channel}`)
  );
  manager.onLeave(({ channel, member }) =>
    say(`sees ${(member.data as { name: string }).name} leave #${channel}`)
  );
  manager.on(
    "chat",
    ({ senderId, message }) => say(`<${nameOf(senderId)}> ${message}`),
  );
  return manager;
}

/** Resolves once `manager` has heard `count` chat messages in total. */
function heard(manager: RealtimeManager, count: number): Promise<void> {
  let n = 0;
  return new Promise((resolve) => {
    const off = manager.on("chat", () => {
      if (++n === count) {
        off();
        resolve();
      }
    });
  });
}

function connected(manager: RealtimeManager): Promise<void> {
  return new Promise((resolve) => {
    if (manager.isConnected()) return resolve();
    const off = manager.onConnect(() => {
      off();
      resolve();
    });
  });
}

const alice = person("Alice", url);
const bob = person("Bob", url);
const carol = person("Carol", network.url);

try {
  await alice.join(CHANNEL);
  await bob.join(CHANNEL);
  await carol.join(CHANNEL);
  const members = await alice.getMembers(CHANNEL);
  console.log(
    `\n#${CHANNEL}: ${
      members.map((m) => (m.data as { name: string }).name).join(", ")
    }\n`,
  );

  let everyoneHeard = Promise.all([heard(bob, 1), heard(carol, 1)]);
  await alice.send(CHANNEL, "chat", "hi all!");
  await everyoneHeard;
  everyoneHeard = Promise.all([heard(alice, 1), heard(carol, 1)]);
  await bob.send(CHANNEL, "chat", "hey Alice");
  await everyoneHeard;

  console.log("\n-- the network drops Carol's connection --\n");
  const carolLeft = new Promise<void>((resolve) => {
    const off = alice.onLeave(() => {
      off();
      resolve();
    });
  });
  network.refuse = true;
  await network.cut();
  await carolLeft;

  // Alice and Bob talk while Carol is away.
  const bobHeard = heard(bob, 1);
  await alice.send(CHANNEL, "chat", "Carol dropped off");
  await bobHeard;
  const aliceHeard = heard(alice, 1);
  await bob.send(CHANNEL, "chat", "she'll catch up when she's back");
  await aliceHeard;
  console.log();

  const offline = [
    "anyone there?",
    "my train just went into a tunnel",
    "ok I think I'm back",
  ];
  const delivered = Promise.all([
    heard(alice, offline.length),
    heard(bob, offline.length),
  ]);
  const sends = offline.map((text) => {
    console.log(`  [Carol] types while offline: ${text}`);
    return carol.send(CHANNEL, "chat", text);
  });

  console.log(
    "\n-- the network is back: Carol catches up, then her messages go out --\n",
  );
  const caughtUp = heard(carol, 2);
  network.refuse = false;
  await connected(carol);
  await caughtUp;
  await Promise.all(sends);
  await delivered;

  const after = await bob.getMembers(CHANNEL);
  console.log(
    `\n#${CHANNEL}: ${
      after.map((m) => (m.data as { name: string }).name).join(", ")
    }`,
  );
  console.log("every message arrived, in order, once; bye!");
} finally {
  await Promise.all([alice.close(), bob.close(), carol.close()]);
  await network.stop();
  await lifeline.close();
  await server.shutdown();
}

// Everything is closed. Deno keeps a process alive for ~15 s after a server
// WebSocket lost its peer without a close frame (Carol's cut), so leave now.
Deno.exit(0);

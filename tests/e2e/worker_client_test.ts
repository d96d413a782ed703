/**
 * The client inside a Worker: a Durable Object on real workerd (Miniflare)
 * runs a `RealtimeManager` connected out to a Deno relay (spawned), through
 * a relay restart. The relay admits the Worker's client by a handshake
 * header only, so the test also shows that `headers` work in workerd; a
 * second client in the object uses the runtime's own `WebSocket`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ConstantBackoff } from "../../src/core/backoff.ts";
import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import type { MemberEvent } from "../../src/client/realtime_events.ts";
import { type RunningServer, spawnServer } from "../../tools/servers.ts";
import { startWorker } from "../../tools/workerd.ts";
import { connected, Inbox, until } from "./conformance.ts";

const ENTRY = fileURLToPath(new URL("./_client_worker.ts", import.meta.url));

function spawnRelay(port = 0): Promise<RunningServer> {
  return spawnServer({
    name: "header relay",
    command: Deno.execPath(),
    args: ["run", "-A", "tests/e2e/_header_relay.ts"],
    env: { PORT: String(port) },
  });
}

const isEdge = (e: MemberEvent) =>
  (e.member.data as { name?: string } | null)?.name === "edge";

Deno.test({
  name:
    "a RealtimeManager in a Durable Object connects out with a header, and comes back after the relay restarts",
  // Miniflare in this process leaves a message port of its own open and
  // removes its temporary directory without waiting.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    let relay = await spawnRelay();
    const port = Number(new URL(relay.httpUrl).port);
    const worker = await startWorker({
      entry: ENTRY,
      vars: { RELAY_URL: relay.url },
      miniflare: { durableObjects: { CLIENT: "ClientObject" } },
    });
    const deno = new RealtimeManager(`${relay.url}?token=deno`, {
      backoff: new ConstantBackoff(50),
    });
    try {
      await connected(deno);
      await deno.join("room");
      const echoes = new Inbox(deno, "echo");
      const edgeJoined = until<MemberEvent>((l) => deno.onJoin(l), isEdge);
      const started = await fetch(`${worker.httpUrl}/start`, {
        method: "POST",
      });
      assert.equal(started.status, 200);
      const { id } = await started.json();
      await edgeJoined;
      await deno.send("room", "chat", "one");
      assert.deepEqual(await echoes.count(1), ["edge heard one"]);
      assert.equal(echoes.messages[0].senderId, id);

      // And with the runtime's own WebSocket, no headers.
      await deno.join("plain");
      const notes = new Inbox(deno, "note");
      const plain = await fetch(`${worker.httpUrl}/plain`, { method: "POST" });
      assert.equal(plain.status, 200);
      const { id: plainId } = await plain.json();
      assert.deepEqual(await notes.count(1), ["from workerd"]);
      assert.equal(notes.messages[0].senderId, plainId);

      const back = until<void>((l) => deno.onConnect(l));
      const joins: MemberEvent[] = [];
      const off = deno.onJoin((e) => joins.push(e));
      await relay.stop();
      relay = await spawnRelay(port);
      await back;
      // The edge's client is back in the room: in the members deno's rejoin
      // read, or in a join deno hears after it.
      const members = await deno.getMembers("room");
      off();
      if (
        !members.some((member) => isEdge({ member } as MemberEvent)) &&
        !joins.some(isEdge)
      ) {
        await until<MemberEvent>((l) => deno.onJoin(l), isEdge);
      }
      await deno.send("room", "chat", "two");
      assert.deepEqual(await echoes.count(2), [
        "edge heard one",
        "edge heard two",
      ]);
      const stopped = await fetch(`${worker.httpUrl}/stop`, { method: "POST" });
      assert.equal(stopped.status, 200);
      await stopped.body?.cancel();
    } finally {
      await deno.close();
      await worker.stop();
      await relay.stop();
    }
  },
});

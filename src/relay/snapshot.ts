/**
 * What an adapter keeps per socket so a relay can rebuild the connection
 * after its memory was lost (a Durable Object waking from hibernation).
 *
 * @module
 */

import type { Identity } from "./identity.ts";

/**
 * A welcomed connection as the relay would rebuild it: its session, who it
 * is, its profile and its channels. The relay hands a fresh one to
 * {@linkcode RelaySocket.persist} whenever one of these changes; an adapter
 * stores it with the socket (a Durable Object's `serializeAttachment`) and
 * gives it back to `Relay.restore` after a wake. It is plain data that
 * survives structured cloning and JSON, as long as the identity's `claims`
 * do.
 *
 * @example Rebuilding a connection on a new relay
 * ```ts
 * import { type ConnectionSnapshot, MemoryStore, Relay, type RelaySocket } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const store = new MemoryStore(); // survives, as a Durable Object's storage does
 * let saved: ConnectionSnapshot | undefined;
 * const socket: RelaySocket = {
 *   send() {},
 *   close() {},
 *   persist: (snapshot) => void (saved = snapshot),
 * };
 * // The first relay drives no timer: its process "goes away" without closing.
 * const before = new Relay({ store, sweepTimer: false });
 * const client = before.open(socket);
 * client.message('{"type":"hello","v":1,"profile":"ann"}');
 * client.message('{"type":"join","channel":"lobby"}');
 * assert.deepEqual(saved!.channels, ["lobby"]);
 * assert.equal(typeof saved!.resume, "string"); // the secret, for a takeover later
 *
 * const after = new Relay({ store }); // the wake: a new relay, the same store
 * const restored = after.restore(socket, saved!);
 * assert.equal(restored.id, client.id);
 * assert.deepEqual(after.members("lobby"), [{ id: client.id, data: "ann" }]);
 * after.close();
 * ```
 */
export interface ConnectionSnapshot {
  /** The session id, also the connection's member id. */
  session: string;
  /**
   * The session's secret resume token: a restored connection can be taken
   * over only by a `hello` that carries it. Keep the snapshot where only
   * the relay reads it (a Durable Object's attachment is). Without it, the
   * restored session cannot be taken over while its socket looks open.
   */
  resume?: string;
  /** Who the connection is, as `authenticate` decided. */
  identity: Identity;
  /** The member profile. */
  profile: unknown;
  /** The channels joined, in join order. */
  channels: string[];
  /**
   * When the connection was last heard from, on the relay's clock: a
   * restored connection is as silent as it was, so its heartbeat deadline
   * does not move with every wake. Absent: the restore's time. The relay
   * never sets it; an adapter that knows (a Durable Object's) adds it.
   */
  heardAt?: number;
}

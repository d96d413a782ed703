/**
 * Sessions: the welcomed connections by session id and by user, and how a
 * `hello` gets its session (new, resumed from the store, or taken over from
 * a live connection of the same user). The sessions themselves and their
 * message ids are the store's. Internal.
 *
 * @module
 */

import { isThenable } from "../core/_thenable.ts";
import { RelayCloseCode } from "../protocol/mod.ts";
import { background, type Context } from "./_context.ts";
import type { Connection } from "./_connection.ts";
import { APP_TOPIC } from "./fanout.ts";
import type { StoreAnswer } from "./store.ts";

/** The welcomed connections of one relay, and their sessions' lifecycle. */
export class Sessions {
  /** Welcomed connections by session id. */
  readonly live: Map<string, Connection> = new Map();
  #users = new Map<string, Set<Connection>>();
  #context: Context;

  constructor(context: Context) {
    this.#context = context;
  }

  /**
   * The session id a `hello` from `conn` gets: `requested` if a live
   * connection of the same user holds it (that one is closed with 4409) or
   * the store resumes it; else a new session under `conn`'s provisional id.
   */
  resolve(
    conn: Connection,
    requested: string | undefined,
    userId: string | undefined,
  ): StoreAnswer<string> {
    if (requested === undefined) return this.#create(conn, userId);
    const live = this.live.get(requested);
    if (live !== undefined) {
      // A live session of the same user: its old socket is likely dead and
      // not yet noticed. The new connection takes the session over.
      if (userId === undefined || live.identity.userId !== userId) {
        return this.#create(conn, userId);
      }
      live.holdsSession = false; // not parked: it moves to `conn`
      // Its channels go to the new connection, unseen (presence grace).
      live.terminate(RelayCloseCode.sessionReplaced, "session replaced", {
        bye: "replaced",
        dropped: true,
      });
      return requested;
    }
    const resumed = this.#context.store.resumeSession(
      requested,
      userId,
      this.#context.clock.now(),
    );
    if (isThenable(resumed)) {
      return Promise.resolve(resumed).then((ok) =>
        ok ? requested : this.#create(conn, userId)
      );
    }
    return resumed ? requested : this.#create(conn, userId);
  }

  #create(conn: Connection, userId: string | undefined): StoreAnswer<string> {
    const id = conn.id;
    const created = this.#context.store.createSession(id, userId);
    return isThenable(created) ? Promise.resolve(created).then(() => id) : id;
  }

  /** Indexes a connection that was just welcomed (or restored). */
  add(conn: Connection): void {
    this.live.set(conn.id, conn);
    const userId = conn.identity.userId;
    if (userId !== undefined) {
      const conns = this.#users.get(userId);
      if (conns === undefined) this.#users.set(userId, new Set([conn]));
      else conns.add(conn);
    }
    this.#context.fanout?.subscribe(conn.socket, APP_TOPIC);
  }

  /** Unindexes a welcomed connection that is going away; parks its session. */
  remove(conn: Connection): void {
    if (this.live.get(conn.id) === conn) this.live.delete(conn.id);
    const userId = conn.identity.userId;
    if (userId !== undefined) {
      const conns = this.#users.get(userId);
      conns?.delete(conn);
      if (conns?.size === 0) this.#users.delete(userId);
    }
    this.#context.fanout?.unsubscribe(conn.socket, APP_TOPIC);
    if (conn.holdsSession) {
      conn.holdsSession = false;
      this.park(conn.id);
    }
  }

  /** Keeps session `id` resumable for the resume window, or ends it. */
  park(id: string): void {
    const { store, clock, settings } = this.#context;
    const now = clock.now();
    background(
      this.#context,
      settings.resumeWindow > 0
        ? store.parkSession(id, now + settings.resumeWindow, now)
        : store.endSession(id),
    );
  }

  /** The welcomed connections of a user. */
  ofUser(userId: string): ReadonlySet<Connection> | undefined {
    return this.#users.get(userId);
  }

  /** Forgets every index (the relay closed). */
  clear(): void {
    this.live.clear();
    this.#users.clear();
  }
}

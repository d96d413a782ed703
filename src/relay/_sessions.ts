/**
 * Sessions: the welcomed connections by session id and by user, and how a
 * `hello` gets its session (new, resumed from the store, or taken over from
 * a live connection of the same user). The sessions themselves and their
 * message ids are the store's. Internal.
 *
 * @module
 */

import { isThenable } from "../core/_thenable.ts";
import { encodeFrame, RelayCloseCode, userFrame } from "../protocol/mod.ts";
import { background, type Context } from "./_context.ts";
import type { Connection } from "./_connection.ts";
import { sameSecret } from "./_secret.ts";
import { APP_TOPIC } from "./fanout.ts";
import type { StoreAnswer } from "./store.ts";

/** The session a `hello` gets: its public id and its private resume token. */
export interface ResolvedSession {
  readonly id: string;
  readonly resume: string;
}

/** The welcomed connections of one relay, and their sessions' lifecycle. */
export class Sessions {
  /** Welcomed connections by session id. */
  readonly live: Map<string, Connection> = new Map();
  #users = new Map<string, Set<Connection>>();
  #context: Context;
  #resumeToken: () => string;

  /** `resumeToken` makes each new session's secret resume token. */
  constructor(context: Context, resumeToken: () => string) {
    this.#context = context;
    this.#resumeToken = resumeToken;
  }

  /**
   * The session a `hello` from `conn` gets: `requested`, when `resume` is
   * its token and a live connection of the same identity holds it (that one
   * is closed with 4409) or the store resumes it; else a new session under
   * `conn`'s provisional id. Session ids are public (member ids): without
   * the token, nobody learns whether `requested` exists.
   */
  resolve(
    conn: Connection,
    requested: string | undefined,
    resume: string | undefined,
    userId: string | undefined,
  ): StoreAnswer<ResolvedSession> {
    if (requested === undefined || resume === undefined) {
      return this.#create(conn, userId);
    }
    const live = this.live.get(requested);
    if (live !== undefined) {
      // The owner is back while its old socket is likely dead and not yet
      // noticed: the new connection takes the session over.
      if (
        live.identity.userId !== userId || !sameSecret(resume, live.resume)
      ) return this.#create(conn, userId);
      live.holdsSession = false; // not parked: it moves to `conn`
      this.#context.counters.takeovers++;
      this.#context.log?.("info", "takeover", { session: requested });
      // Its channels go to the new connection, unseen (presence grace).
      live.terminate(RelayCloseCode.sessionReplaced, "session replaced", {
        bye: "replaced",
        dropped: true,
      });
      return { id: requested, resume };
    }
    const resumed = this.#context.store.resumeSession(
      requested,
      userId,
      this.#context.clock.now(),
      resume,
    );
    const session: ResolvedSession = { id: requested, resume };
    const outcome = (ok: boolean): StoreAnswer<ResolvedSession> => {
      if (!ok) return this.#create(conn, userId);
      this.#context.counters.resumes++;
      this.#context.log?.("info", "resume", { session: requested });
      return session;
    };
    if (isThenable(resumed)) return Promise.resolve(resumed).then(outcome);
    return outcome(resumed);
  }

  #create(
    conn: Connection,
    userId: string | undefined,
  ): StoreAnswer<ResolvedSession> {
    const session: ResolvedSession = {
      id: conn.id,
      resume: this.#resumeToken(),
    };
    const created = this.#context.store.createSession(
      session.id,
      userId,
      session.resume,
    );
    return isThenable(created)
      ? Promise.resolve(created).then(() => session)
      : session;
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

  /** Sends a user event to the user's connections here; answers how many took it. */
  toUser(userId: string, event: string, data: unknown): number {
    const conns = this.#users.get(userId);
    if (conns === undefined) return 0;
    const text = encodeFrame(userFrame(event, data));
    let sent = 0;
    for (const conn of conns) if (conn.send(text)) sent++;
    return sent;
  }

  /** Forgets every index (the relay closed). */
  clear(): void {
    this.live.clear();
    this.#users.clear();
  }
}

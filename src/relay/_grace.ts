/**
 * Presence grace: the connections that dropped (not a clean close) while in
 * channels, kept away for `presenceGrace` ms by session id. Their session
 * coming back takes them; the grace ending hands them to `expire` (who
 * tells the channels they left). Ended by per-connection timers, or by the
 * sweep when the relay's timers are off. Internal.
 *
 * @module
 */

import type { TimerId } from "../core/clock.ts";
import type { Context } from "./_context.ts";
import type { Connection } from "./_connection.ts";

interface Away {
  readonly conn: Connection;
  readonly until: number;
  readonly timer: TimerId | undefined;
}

/** The dropped connections in grace, by session id. */
export class Grace {
  #context: Context;
  #timers: boolean;
  #expire: (conn: Connection) => void;
  #away = new Map<string, Away>();

  constructor(
    context: Context,
    timers: boolean,
    expire: (conn: Connection) => void,
  ) {
    this.#context = context;
    this.#timers = timers;
    this.#expire = expire;
  }

  /** Keeps `conn` (already out of the connected members) for the grace. */
  hold(conn: Connection): void {
    const { clock, settings } = this.#context;
    const id = conn.id;
    const earlier = this.#away.get(id);
    if (earlier !== undefined) this.#end(id, earlier);
    const ms = settings.presenceGrace;
    const timer = this.#timers
      ? clock.setTimeout(() => {
        const away = this.#away.get(id);
        if (away?.conn === conn) this.#end(id, away);
      }, ms)
      : undefined;
    this.#away.set(id, { conn, until: clock.now() + ms, timer });
  }

  /** The connection of session `id` in grace, now taken out of it. */
  take(id: string): Connection | undefined {
    const away = this.#away.get(id);
    if (away === undefined) return undefined;
    this.#away.delete(id);
    if (away.timer !== undefined) this.#context.clock.clearTimeout(away.timer);
    return away.conn;
  }

  /** Ends every grace that is over at `now`. */
  sweep(now: number): void {
    for (const [id, away] of [...this.#away]) {
      if (away.until <= now) this.#end(id, away);
    }
  }

  /** When the next grace ends, or `undefined` when none is running. */
  nextAt(): number | undefined {
    let next = Infinity;
    for (const away of this.#away.values()) next = Math.min(next, away.until);
    return next === Infinity ? undefined : next;
  }

  /** Stops every grace; answers the connections that were in it. */
  clear(): Connection[] {
    const conns: Connection[] = [];
    for (const id of [...this.#away.keys()]) conns.push(this.take(id)!);
    return conns;
  }

  #end(id: string, away: Away): void {
    this.#away.delete(id);
    if (away.timer !== undefined) this.#context.clock.clearTimeout(away.timer);
    this.#expire(away.conn);
  }
}

/**
 * Presence grace: the connections that dropped (not a clean close) while in
 * channels, kept away for `presenceGrace` ms by session id. Their session
 * coming back takes them; the grace ending hands them to `expire` (who
 * tells the channels they left). Ended by one timer for them all, or by the
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
}

/**
 * The dropped connections in grace, by session id. Every grace lasts the
 * same, so the map's order (a re-held id moves to the end) is the order
 * they end in: one timer, for the first, serves them all.
 */
export class Grace {
  #context: Context;
  #timers: boolean;
  #expire: (conn: Connection) => void;
  #away = new Map<string, Away>();
  #timer: TimerId | undefined;

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
    this.#away.set(id, { conn, until: clock.now() + settings.presenceGrace });
    this.#arm();
  }

  /** The connection of session `id` in grace, now taken out of it. */
  take(id: string): Connection | undefined {
    const away = this.#away.get(id);
    if (away === undefined) return undefined;
    this.#away.delete(id);
    return away.conn;
  }

  /** Ends every grace that is over at `now`, oldest first. */
  sweep(now: number): void {
    for (const [id, away] of this.#away) {
      if (away.until > now) break;
      this.#end(id, away);
    }
  }

  /** When the next grace ends, or `undefined` when none is running. */
  nextAt(): number | undefined {
    for (const away of this.#away.values()) return away.until;
    return undefined;
  }

  /** Stops every grace; answers the connections that were in it. */
  clear(): Connection[] {
    const conns: Connection[] = [];
    for (const id of [...this.#away.keys()]) conns.push(this.take(id)!);
    if (this.#timer !== undefined) {
      this.#context.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    return conns;
  }

  /** Arms the one timer for the first grace to end, unless armed or off. */
  #arm(): void {
    if (!this.#timers || this.#timer !== undefined) return;
    const next = this.nextAt();
    if (next === undefined) return;
    const { clock } = this.#context;
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      this.sweep(clock.now());
      this.#arm();
    }, Math.max(0, next - clock.now()));
  }

  #end(id: string, away: Away): void {
    this.#away.delete(id);
    this.#expire(away.conn);
  }
}

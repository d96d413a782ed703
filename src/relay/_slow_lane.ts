/**
 * The slow lane of a native fan-out: the welcomed connections whose socket
 * is over `softBufferedBytes`, taken off the runtime's topics and sent their
 * frames one by one, so the relay's backlog rules (volatile messages go
 * first, drops are counted, 1013 past the hard limit) hold on Bun as on
 * every other runtime. The runtime's publish cannot say which socket is
 * backlogged, so the lane looks after publishing. Internal.
 *
 * @module
 */

import type { Channel } from "./_channel.ts";
import type { Connection } from "./_connection.ts";
import type { Context } from "./_context.ts";
import { APP_TOPIC, type Fanout } from "./fanout.ts";

/** Ms between backlog checks when a publish held a frame back. */
const HELD_CHECK_MS = 10;
/** Ms between backlog checks otherwise. */
const CHECK_MS = 1_000;
/**
 * The share of `limits.frameBytes` published between two backlog checks, at
 * most, in UTF-16 code units (each at most 3 bytes of UTF-8). Bun's
 * `backpressureLimit` leaves `frameBytes` of room past `maxBufferedBytes`
 * for the last frame and the `bye`; a native fan-out fills a socket as
 * fast as it publishes (hundreds of MB/s on loopback), so the check comes
 * by bytes as well as by time, before the topics can fill that room.
 */
const CHECK_SHARE = 1 / 8;

/** The connections a native fan-out does not reach; one per relay with a fan-out. */
export class SlowLane {
  #members = new Set<Connection>();
  #context: Context;
  #fanout: Fanout;
  /** Welcomed connections by session id. */
  #live: ReadonlyMap<string, Connection>;
  #checkedAt = -Infinity;
  /** Code units published since the last check. */
  #sinceCheck = 0;
  /** The check comes once this many were published, whatever the time. */
  #checkUnits: number;

  constructor(
    context: Context,
    fanout: Fanout,
    live: ReadonlyMap<string, Connection>,
  ) {
    this.#context = context;
    this.#fanout = fanout;
    this.#live = live;
    this.#checkUnits = Math.floor(
      context.settings.limits.frameBytes * CHECK_SHARE,
    );
  }

  /** How many connections are in the lane. */
  get size(): number {
    return this.#members.size;
  }

  /** Whether `conn` is in the lane (not subscribed to its topics). */
  has(conn: Connection): boolean {
    return this.#members.has(conn);
  }

  /**
   * Sends `text` to the lane's members in `channel` (every member, for an
   * app-wide message: `channel` null) but `except`; answers how many of
   * them are in it, `except` included, so the caller can count the rest as
   * reached by the fan-out.
   */
  send(
    channel: Channel<Connection> | null,
    text: string,
    except: Connection | undefined,
    volatile: boolean,
  ): number {
    let members = 0;
    for (const conn of this.#members) {
      if (conn.state !== "open") {
        this.#members.delete(conn);
        continue;
      }
      if (channel !== null && !channel.members.has(conn)) continue;
      members++;
      if (conn === except) continue;
      if (volatile) conn.sendVolatile(text);
      else conn.send(text);
    }
    return members;
  }

  /**
   * Called after each native publish of `text`: checks every welcomed
   * socket's backlog at most every 10 ms when the publish held a frame back
   * (`held`), else at most once a second, and in any case once an eighth of
   * `limits.frameBytes` was published since the last check.
   */
  published(held: boolean, text: string): void {
    const since = this.#sinceCheck + text.length;
    const now = this.#context.clock.now();
    if (
      since < this.#checkUnits &&
      now - this.#checkedAt < (held ? HELD_CHECK_MS : CHECK_MS)
    ) {
      this.#sinceCheck = since;
      return;
    }
    this.#sinceCheck = 0;
    this.#checkedAt = now;
    const { softBufferedBytes, maxBufferedBytes } = this.#context.settings;
    const enter = Math.min(softBufferedBytes, maxBufferedBytes);
    for (const conn of this.#live.values()) {
      const buffered = conn.socket.bufferedAmount;
      if (buffered === undefined || conn.state !== "open") continue;
      if (!this.#members.has(conn)) {
        if (buffered > enter) this.#enter(conn);
      } else if (buffered <= enter / 2) this.#leave(conn);
    }
  }

  #enter(conn: Connection): void {
    this.#members.add(conn);
    const { socket } = conn;
    for (const name of conn.channels.keys()) {
      this.#fanout.unsubscribe(socket, name);
    }
    this.#fanout.unsubscribe(socket, APP_TOPIC);
  }

  #leave(conn: Connection): void {
    this.#members.delete(conn);
    const { socket } = conn;
    for (const name of conn.channels.keys()) {
      this.#fanout.subscribe(socket, name);
    }
    this.#fanout.subscribe(socket, APP_TOPIC);
  }
}

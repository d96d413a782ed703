/**
 * The Redis store's sessions and their message ids (`sess:<id>`,
 * `mids:<id>`, `midq:<id>`, the `parked` sorted set): live with
 * `sessionTtl`, parked with the resume window as TTL, taken over from
 * another node on a resume. Internal.
 *
 * @module
 */

import type { PubAckData } from "../../protocol/mod.ts";
import type { RedisContext } from "./_context.ts";
import { user } from "./_replies.ts";

/** The sessions' part of the `RedisStore` contract. */
export class RedisSessions {
  #c: RedisContext;
  /** Parked sessions, app-wide, at the latest heartbeat. */
  parked = 0;

  constructor(context: RedisContext) {
    this.#c = context;
  }

  /** A session's keys and the parked set, for the scripts that change it. */
  #change(id: string): string[] {
    return [...this.#c.sessionKeys(id), `${this.#c.prefix}parked`];
  }

  async create(
    id: string,
    userId: string | undefined,
    resume: string,
  ): Promise<void> {
    const c = this.#c;
    await c.run("createSession", this.#change(id), [
      user(userId),
      resume,
      c.node,
      String(c.sessionTtl),
      id,
    ]);
  }

  async resume(
    id: string,
    userId: string | undefined,
    resume: string,
  ): Promise<boolean> {
    const c = this.#c;
    const ok = await c.run("resumeSession", this.#change(id), [
      user(userId),
      resume,
      c.node,
      String(c.sessionTtl),
      c.prefix,
      id,
    ]);
    return ok === 1;
  }

  async park(id: string, expires: number, now: number): Promise<void> {
    await this.#c.run("parkSession", this.#change(id), [
      this.#c.node,
      String(Math.max(1, Math.ceil(expires - now))),
      id,
    ]);
  }

  async end(id: string): Promise<void> {
    await this.#c.run("endSession", this.#change(id), [this.#c.node, id]);
  }

  async seen(session: string, mid: string): Promise<PubAckData | undefined> {
    const [, mids] = this.#c.sessionKeys(session);
    const ack = await this.#c.client.sendCommand(["HGET", mids, mid]);
    return typeof ack === "string" ? JSON.parse(ack) : undefined;
  }

  async remember(session: string, mid: string, ack: PubAckData): Promise<void> {
    if (this.#c.dedupeSize <= 0) return;
    await this.#c.run("remember", this.#c.sessionKeys(session), [
      mid,
      JSON.stringify(ack),
      String(this.#c.dedupeSize),
    ]);
  }
}

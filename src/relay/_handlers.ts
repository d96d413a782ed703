/**
 * The six frame handlers: hello, join, leave, pub, members and update, with
 * the `authorize` hook. Each answers synchronously when the hooks and the
 * store do, or with a promise the frame pipeline waits for. Internal.
 *
 * @module
 */

import { isThenable } from "../core/_thenable.ts";
import {
  type AppWideData,
  type ClientFrame,
  encodeFrame,
  type HelloFrame,
  type JoinFrame,
  type LeaveFrame,
  type MembersAckData,
  type MembersFrame,
  PROTOCOL_VERSION,
  type PubAckData,
  type PubFrame,
  RelayCloseCode,
  type UpdateFrame,
  welcomeFrame,
} from "../protocol/mod.ts";
import { pubAckText } from "../protocol/_frame_text.ts";
import type { Admission, Authenticated } from "./_admission.ts";
import { appWide } from "./_app_wide.ts";
import type { Channel } from "./_channel.ts";
import type { Channels } from "./_channels.ts";
import type { Delivery } from "./_delivery.ts";
import { background, type Context } from "./_context.ts";
import type { Connection } from "./_connection.ts";
import type { ResolvedSession, Sessions } from "./_sessions.ts";
import type { Identity } from "./identity.ts";
import type { RelayAction, RelayOptions } from "./options.ts";

type Action = RelayAction;
type Authorize = NonNullable<RelayOptions["authorize"]>;

/** `true` allowed, `false` refused, `undefined` the hook failed. */
type Verdict = boolean | undefined;

/** Handles decoded frames from connections that may send them. */
export class FrameHandlers {
  #context: Context;
  #admission: Admission;
  #sessions: Sessions;
  #channels: Channels;
  #delivery: Delivery;
  #authorize: Authorize | undefined;
  /** The frame being handled in this turn (not after a wait). */
  #turn: ClientFrame | undefined;

  constructor(
    context: Context,
    admission: Admission,
    sessions: Sessions,
    channels: Channels,
    delivery: Delivery,
    authorize: Authorize | undefined,
  ) {
    this.#context = context;
    this.#admission = admission;
    this.#sessions = sessions;
    this.#channels = channels;
    this.#delivery = delivery;
    this.#authorize = authorize;
  }

  /** Handles one frame; a promise when it waits on a hook or the store. */
  handle(conn: Connection, frame: ClientFrame): Promise<void> | void {
    this.#turn = frame;
    try {
      return this.#dispatch(conn, frame);
    } finally {
      this.#turn = undefined;
    }
  }

  #dispatch(conn: Connection, frame: ClientFrame): Promise<void> | void {
    switch (frame.type) {
      case "hello":
        return this.#hello(conn, frame);
      case "join":
        return this.#join(conn, frame);
      case "leave":
        return this.#leave(conn, frame);
      case "pub":
        return this.#pub(conn, frame);
      case "members":
        return this.#members(conn, frame);
      case "update":
        return this.#update(conn, frame);
    }
  }

  // ------------------------------------------------------------ hello

  #hello(conn: Connection, frame: HelloFrame): Promise<void> | void {
    if (conn.state !== "pending") {
      conn.reply(frame.ref, { code: "bad_frame", message: "Already welcomed" });
      return;
    }
    if (frame.v !== PROTOCOL_VERSION) {
      conn.reply(frame.ref, {
        code: "unsupported_version",
        message: `This relay speaks protocol version ${PROTOCOL_VERSION}`,
      });
      conn.terminate(RelayCloseCode.protocolError, "unsupported version", {
        bye: "unsupported_version",
        linger: true,
      });
      return;
    }
    if (frame.token === undefined || !this.#admission.authenticates) {
      return this.#welcome(conn, frame, conn.identity);
    }
    const identity = this.#admission.authenticateHello(
      conn.request,
      frame.token,
    );
    if (!isThenable(identity)) {
      return this.#authenticated(conn, frame, identity);
    }
    return identity.then((identity) =>
      this.#authenticated(conn, frame, identity)
    );
  }

  #authenticated(
    conn: Connection,
    frame: HelloFrame,
    identity: Authenticated,
  ): Promise<void> | void {
    if (conn.state !== "pending") return;
    if (identity !== null && identity !== undefined) {
      return this.#welcome(conn, frame, identity);
    }
    this.#context.log?.("warn", "auth_failed", { at: "hello" });
    conn.reply(frame.ref, {
      code: "unauthorized",
      message: "Authentication failed",
    });
    conn.terminate(RelayCloseCode.unauthorized, "unauthorized", {
      bye: "unauthorized",
      linger: true,
    });
  }

  #welcome(
    conn: Connection,
    frame: HelloFrame,
    identity: Identity,
  ): Promise<void> | void {
    const session = this.#sessions.resolve(
      conn,
      frame.session,
      frame.resume,
      identity.userId,
    );
    if (!isThenable(session)) {
      return this.#placed(conn, frame, identity, session);
    }
    return session.then((session) =>
      this.#placed(conn, frame, identity, session)
    );
  }

  /** Reads the app-wide stream's place (and what `since` missed), then opens. */
  #placed(
    conn: Connection,
    frame: HelloFrame,
    identity: Identity,
    session: ResolvedSession,
  ): Promise<void> | void {
    const app = appWide(this.#context.store, frame.since);
    if (!isThenable(app)) {
      return this.#open(conn, frame, identity, session, app);
    }
    return app.then((app) => this.#open(conn, frame, identity, session, app));
  }

  #open(
    conn: Connection,
    frame: HelloFrame,
    identity: Identity,
    { id, resume }: ResolvedSession,
    app: AppWideData,
  ): void {
    if (conn.state !== "pending") {
      this.#sessions.park(id); // it went away while the store answered
      return;
    }
    conn.open(id, identity, frame.profile ?? null, resume);
    this.#sessions.add(conn);
    // Back within the presence grace: its channels were kept for it.
    const resumed = this.#channels.resume(conn, frame.profile !== undefined);
    background(this.#context, resumed);
    conn.persist();
    const { limits, heartbeat } = this.#context.settings;
    conn.send(
      encodeFrame(welcomeFrame(id, limits, heartbeat, frame.ref, resume, app)),
    );
  }

  // ------------------------------------------------------------ channels

  #join(conn: Connection, frame: JoinFrame): Promise<void> | void {
    const name = frame.channel;
    if (name === null) return this.#recoverApp(conn, frame);
    if (conn.channels.has(name)) {
      return this.#channels.ackJoined(conn, name, frame.since, frame.ref);
    }
    const max = this.#context.settings.limits.channels;
    if (conn.channels.size >= max) {
      conn.reply(frame.ref, {
        code: "too_many_channels",
        message: `At most ${max} channels per connection`,
      });
      return;
    }
    const verdict = this.#verdict(conn, "join", name);
    if (!isThenable(verdict)) return this.#joinIf(conn, name, frame, verdict);
    return verdict.then((verdict) => this.#joinIf(conn, name, frame, verdict));
  }

  /**
   * A `join` of no channel: the app-wide messages missed after `since` (a
   * client repairing a gap in live app-wide offsets), answered like a
   * channel's recovery. Every welcomed connection already gets app-wide
   * messages, so there is nothing to authorize or join.
   */
  #recoverApp(conn: Connection, frame: JoinFrame): Promise<void> | void {
    const app = appWide(this.#context.store, frame.since);
    if (!isThenable(app)) return conn.ack(frame.ref, app);
    return app.then((app) => conn.ack(frame.ref, app));
  }

  #joinIf(
    conn: Connection,
    name: string,
    frame: JoinFrame,
    verdict: Verdict,
  ): Promise<void> | void {
    if (!this.#allowed(conn, "join", frame.ref, verdict)) return;
    return this.#channels.join(
      conn,
      name,
      frame.echo ?? true,
      frame.since,
      frame.ref,
    );
  }

  /** The channel `frame` names if `conn` joined it; else answers not_joined. */
  #joined(
    conn: Connection,
    frame: LeaveFrame | MembersFrame,
  ): Channel<Connection> | undefined {
    const channel = conn.channels.get(frame.channel);
    if (channel === undefined) {
      conn.reply(frame.ref, {
        code: "not_joined",
        message: `Not in channel '${frame.channel}'`,
      });
    }
    return channel;
  }

  #leave(conn: Connection, frame: LeaveFrame): Promise<void> | void {
    const channel = this.#joined(conn, frame);
    if (channel === undefined) return;
    conn.ack(frame.ref);
    const left = this.#channels.leave(conn, channel, frame.echo ?? true);
    conn.persist();
    return left;
  }

  #members(conn: Connection, frame: MembersFrame): Promise<void> | void {
    if (this.#joined(conn, frame) === undefined) return;
    this.#channels.flushPresence(frame.channel);
    const state = this.#context.store.channel(frame.channel);
    const ack = (state: MembersAckData) =>
      conn.ack(frame.ref, { members: state.members, version: state.version });
    if (!isThenable(state)) return ack(state);
    return state.then(ack);
  }

  #update(conn: Connection, frame: UpdateFrame): Promise<void> | void {
    conn.profile = frame.profile;
    conn.persist();
    conn.ack(frame.ref);
    return this.#channels.update(conn, frame.echo ?? true);
  }

  // ------------------------------------------------------------ publish

  #pub(conn: Connection, frame: PubFrame): Promise<void> | void {
    const name = frame.channel;
    if (name !== null && !conn.channels.has(name)) {
      conn.reply(frame.ref, {
        code: "not_joined",
        message: `Join '${name}' before publishing to it`,
      });
      return;
    }
    if (frame.mid === undefined || frame.volatile) {
      return this.#pubNew(conn, frame);
    }
    const seen = this.#context.store.seen(conn.id, frame.mid);
    if (!isThenable(seen)) return this.#pubSeen(conn, frame, seen);
    return seen.then((seen) => this.#pubSeen(conn, frame, seen));
  }

  #pubSeen(
    conn: Connection,
    frame: PubFrame,
    seen: PubAckData | undefined,
  ): Promise<void> | void {
    if (seen === undefined) return this.#pubNew(conn, frame);
    this.#context.counters.duplicates++;
    conn.ack(frame.ref, seen);
  }

  #pubNew(conn: Connection, frame: PubFrame): Promise<void> | void {
    if (this.#authorize === undefined) return this.#pubIf(conn, frame, true);
    const verdict = this.#verdict(conn, "publish", frame.channel);
    if (!isThenable(verdict)) return this.#pubIf(conn, frame, verdict);
    return verdict.then((verdict) => this.#pubIf(conn, frame, verdict));
  }

  #pubIf(
    conn: Connection,
    frame: PubFrame,
    verdict: Verdict,
  ): Promise<void> | void {
    if (!this.#allowed(conn, "publish", frame.ref, verdict)) return;
    const except = frame.echo === false ? conn : undefined;
    if (frame.channel === null) {
      const { event, data } = frame;
      if (frame.volatile) {
        this.#delivery.volatileBroadcast(event, data, conn.id, except);
        return this.#published(conn, frame, undefined);
      }
      const offset = this.#delivery.broadcast(
        event,
        data,
        conn.id,
        except,
        frame.mid,
      );
      if (typeof offset !== "object") {
        return this.#published(conn, frame, offset);
      }
      return offset.then((offset) => this.#published(conn, frame, offset));
    }
    if (frame.volatile) {
      this.#delivery.volatile(
        frame.channel,
        frame.event,
        frame.data,
        conn.id,
        except,
      );
      if (frame.ref !== undefined) conn.ack(frame.ref, {});
      return;
    }
    const offset = this.#delivery.publish(
      frame.channel,
      frame.event,
      frame.data,
      conn.id,
      except,
      frame.mid,
    );
    // A number (or undefined) is a synchronous answer: no promise on the hot path.
    if (typeof offset !== "object") return this.#published(conn, frame, offset);
    return offset.then((offset) => this.#published(conn, frame, offset));
  }

  #published(
    conn: Connection,
    frame: PubFrame,
    offset: number | undefined,
  ): Promise<void> | void {
    const { clock, counters } = this.#context;
    // Within the frame's own turn no time worth a clock read has passed.
    const now = this.#turn === frame ? conn.frameAt : clock.now();
    counters.latency.observe(now - conn.frameAt);
    const ref = frame.ref;
    if (ref !== undefined) conn.send(pubAckText(ref, offset));
    if (frame.mid === undefined) return;
    const ack: PubAckData = offset === undefined ? {} : { offset };
    const remembered = this.#context.store.remember(conn.id, frame.mid, ack);
    if (isThenable(remembered)) return remembered;
  }

  // ------------------------------------------------------------ authorize

  /** The `authorize` hook's verdict; synchronous when the hook is. */
  #verdict(
    conn: Connection,
    action: Action,
    channel: string | null,
  ): Verdict | Promise<Verdict> {
    const hook = this.#authorize;
    if (hook === undefined) return true;
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = hook(conn.identity, action, channel);
    } catch (error) {
      this.#context.report(error);
      return undefined;
    }
    if (!isThenable<boolean>(verdict)) return verdict === true;
    return Promise.resolve(verdict).then(
      (verdict) => verdict === true,
      (error) => {
        this.#context.report(error);
        return undefined;
      },
    );
  }

  /** Whether to go on; answers `forbidden` or `internal` if not. */
  #allowed(
    conn: Connection,
    action: Action,
    ref: number | undefined,
    verdict: Verdict,
  ): boolean {
    if (conn.state !== "open") return false;
    if (verdict === true) return true;
    conn.reply(
      ref,
      verdict === false
        ? { code: "forbidden", message: `Not allowed to ${action}` }
        : { code: "internal", message: "Authorization failed" },
    );
    return false;
  }
}

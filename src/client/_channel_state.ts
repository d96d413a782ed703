/**
 * Per-channel state on a manager's connection. Each channel's state is
 * owned by one {@linkcode ChannelState}: whether the client is a member,
 * the join in flight (later joins of the same channel follow it instead of
 * sending their own), the joins waiting for the connection, and the status
 * it pushes to the channel's view. The manager only routes to it: requests
 * for the channel, the channel's messages, and connection changes.
 * Internal to the client layer.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { noop } from "../core/event_stream.ts";
import {
  joinFrame,
  type JoinSince,
  leaveFrame,
  type MsgFrame,
  type RecoveryFailure,
} from "../protocol/mod.ts";
import { Recovery } from "./_channel_recovery.ts";
import { toChannelMessage } from "./_message_shapes.ts";
import { ManagerChannel } from "./_manager_channel.ts";
import type { Request, Requests } from "./_requests.ts";
import type { ChannelStatus, RealtimeChannel } from "./realtime_channel.ts";
import { RealtimeError } from "./realtime_error.ts";

/** What a channel's state needs from its manager. */
export interface ChannelHost {
  readonly clock: Clock;
  readonly requests: Requests;
  /** Whether rejoins ask for the messages missed meanwhile. */
  readonly recover: boolean;
  /** Hands a channel message to the manager's listeners. */
  hear(frame: MsgFrame): void;
  /** A channel's missed messages could not be recovered. */
  resync(channel: string, reason: RecoveryFailure): void;
  /** Whether the relay has welcomed the connection. */
  isConnected(): boolean;
  /** Whether the manager is closed. */
  isClosed(): boolean;
  /** An internal rejoin after a welcome has finished, well or not. */
  rejoined(channel: string, error: RealtimeError | null): void;
  /** The manager's own calls, for the view. */
  join(channel: string): Promise<void>;
  leave(channel: string): Promise<void>;
  send(
    channel: string,
    event: string,
    data: unknown,
    echo?: boolean,
  ): Promise<void>;
}

/** Settles the promise of the call that made a join. */
type Finish = (error: RealtimeError | null) => void;

interface JoinRequest extends Request {
  /** A join the manager made itself after a welcome. */
  readonly internal: boolean;
  /** Joins of the same channel made while this one was in flight. */
  followers: JoinRequest[];
  /** The membership this join created, once it was sent. */
  membership: Membership | undefined;
  finish: Finish;
}

/** The client's membership of a channel on the relay. */
interface Membership {
  echo: boolean;
}

type Standing = "joined" | "joining" | "none";

/** One channel's state; see the module doc. */
export class ChannelState {
  /** The channel's name. */
  readonly name: string;
  #host: ChannelHost;
  #forget: (state: ChannelState) => void;
  #membership: Membership | undefined;
  #leader: JoinRequest | undefined;
  #waiting: Set<JoinRequest> = new Set();
  #view: ManagerChannel | undefined;
  #viewJoins = 0;
  /** Requests made for this channel and not yet settled. */
  #outstanding = 0;
  #status: ChannelStatus = { type: "disconnected" };
  #wasJoined = false;
  #error: RealtimeError | undefined;
  #recovery: Recovery;

  constructor(
    name: string,
    host: ChannelHost,
    forget: (state: ChannelState) => void,
  ) {
    this.name = name;
    this.#host = host;
    this.#forget = forget;
    this.#recovery = new Recovery(name, {
      recover: host.recover,
      deliver: (frame) => this.#deliver(frame),
      resync: (reason) => {
        host.resync(name, reason);
        this.#view?.resync({ channel: name, reason });
      },
      repair: (since) => this.#repair(since),
    });
  }

  /** Whether the channel is joined on a welcomed connection now. */
  get live(): boolean {
    return this.#standing() === "joined";
  }

  /** Whether the client is (or is becoming) a member on the relay. */
  get isMember(): boolean {
    return this.#membership !== undefined;
  }

  /** A join request for a call; `finish` settles the call. */
  join(echo: boolean, finish: Finish): Request {
    return this.#joinRequest(echo, false, finish);
  }

  /** A leave request for a call. */
  leave(echo: boolean, finish: Finish): Request {
    finish = this.#track(finish);
    const frame = leaveFrame(this.name, { echo });
    const request: Request = {
      frame,
      body: JSON.stringify(frame),
      start: () => {
        // The connection that joined it is gone, and the relay with it.
        if (!this.#membership) return finish(null);
        this.#membership = undefined;
        this.#recovery.reset();
        this.#host.requests.send(request);
        this.#refresh();
      },
      // Not joined is what a leave wants.
      settle: (error) =>
        finish(error && error.code !== "not_joined" ? error : null),
      reject: finish,
      requeue: () => [request],
    };
    return request;
  }

  /** Joins the channel again on a new connection, as it was joined. */
  rejoin(): void {
    const membership = this.#membership;
    if (!membership) return;
    const since = this.#recovery.since();
    const request = this.#joinRequest(membership.echo, true, noop, since);
    request.membership = membership;
    this.#leader = request;
    this.#host.requests.send(request);
  }

  /**
   * The connection is gone; the membership stays only for a rejoin. Answers
   * whether a membership was given up.
   */
  dropped(keepMembership: boolean): boolean {
    this.#leader = undefined;
    this.#recovery.dropped();
    if (keepMembership || !this.#membership) return false;
    this.#membership = undefined;
    this.#recovery.reset();
    return true;
  }

  /**
   * A message published in this channel arrived: delivered in offset order,
   * a duplicate dropped, a gap repaired first.
   */
  receive(frame: MsgFrame): void {
    this.#recovery.receive(frame);
  }

  /** This client published `offset` without echo: it is not a gap. */
  skip(offset: number): void {
    this.#recovery.skip(offset);
  }

  #deliver(frame: MsgFrame): void {
    this.#host.hear(frame);
    this.#view?.deliver(
      toChannelMessage(this.name, frame, this.#host.clock.now()),
    );
  }

  /** Joins the joined channel again with `since`, to fill a gap. */
  #repair(since: JoinSince): boolean {
    const membership = this.#membership;
    if (!membership || this.#leader || !this.#host.isConnected()) return false;
    const frame = joinFrame(this.name, { echo: membership.echo, since });
    const request: Request = {
      frame,
      body: JSON.stringify(frame),
      start: () => this.#host.requests.send(request),
      settle: (error, data) => {
        if (this.#membership !== membership) return; // left meanwhile
        if (error) this.#recovery.release();
        else this.#recovery.joined(data, true);
      },
      reject: () => this.#recovery.release(),
      requeue: () => {
        this.#recovery.dropped();
        return [];
      },
    };
    this.#host.requests.send(request);
    return true;
  }

  /** The channel's view, made on first use. */
  view(): RealtimeChannel {
    this.#view ??= new ManagerChannel(this.name, {
      connect: () => this.#connectView(),
      leave: () => this.#host.leave(this.name),
      send: (event, data, echo) =>
        this.#host.send(this.name, event, data, echo),
      release: (view) => {
        if (this.#view === view) this.#view = undefined;
        this.#refresh();
      },
    }, this.#status);
    return this.#view;
  }

  /** Recomputes the status after the connection changed, and pushes it. */
  refresh(): void {
    this.#refresh();
  }

  /** Whether nothing refers to this state any more. */
  get idle(): boolean {
    return !this.#membership && this.#outstanding === 0 && !this.#view &&
      this.#viewJoins === 0;
  }

  #joinRequest(
    echo: boolean,
    internal: boolean,
    finish: Finish,
    since?: JoinSince,
  ): JoinRequest {
    finish = this.#track(finish);
    const frame = joinFrame(this.name, { echo, since });
    const request: JoinRequest = {
      frame,
      body: JSON.stringify(frame),
      internal,
      followers: [],
      membership: undefined,
      finish,
      queued: () => {
        this.#waiting.add(request);
        this.#refresh();
      },
      start: () => {
        this.#waiting.delete(request);
        this.#startJoin(request, echo);
      },
      settle: (error, data) => {
        if (error) this.#recovery.release();
        else this.#recovery.joined(data, since !== undefined);
        this.#joined(request, error);
      },
      reject: (error) => {
        this.#waiting.delete(request);
        finish(error);
      },
      requeue: () => {
        // A rejoin belongs to the connection that was lost.
        if (request.internal) finish(null);
        const again = request.internal ? [] : [request];
        again.push(...request.followers);
        request.followers = [];
        return again;
      },
    };
    return request;
  }

  #startJoin(request: JoinRequest, echo: boolean): void {
    if (this.#membership) {
      if (this.#leader) this.#leader.followers.push(request);
      else request.finish(null);
      return;
    }
    request.membership = this.#membership = { echo };
    this.#leader = request;
    this.#host.requests.send(request);
    this.#refresh();
  }

  /** The relay answered a join that was sent. */
  #joined(request: JoinRequest, error: RealtimeError | null): void {
    if (this.#leader === request) this.#leader = undefined;
    if (
      error && request.membership &&
      this.#membership === request.membership
    ) {
      this.#membership = undefined;
    }
    const followers = request.followers;
    request.followers = [];
    request.finish(error);
    if (request.internal) this.#host.rejoined(this.name, error);
    for (const follower of followers) follower.finish(error);
    this.#refresh(error ?? undefined);
  }

  /** Counts a request as outstanding until `finish` is first called. */
  #track(finish: Finish): Finish {
    this.#outstanding++;
    let done = false;
    return (error) => {
      if (done) return;
      done = true;
      this.#outstanding--;
      finish(error);
    };
  }

  async #connectView(): Promise<void> {
    this.#error = undefined;
    this.#viewJoins++;
    this.#refresh();
    try {
      await this.#host.join(this.name);
    } catch (error) {
      if (error instanceof RealtimeError) this.#error = error;
      throw error;
    } finally {
      this.#viewJoins--;
      this.#refresh();
    }
  }

  #standing(): Standing {
    const closed = this.#host.isClosed();
    if (closed || !this.#membership) {
      return this.#waiting.size > 0 && !closed ? "joining" : "none";
    }
    return this.#host.isConnected() && !this.#leader ? "joined" : "joining";
  }

  #refresh(error?: RealtimeError): void {
    if (error) this.#error = error;
    const standing = this.#standing();
    let next: ChannelStatus;
    if (standing === "joined") {
      this.#wasJoined = true;
      this.#error = undefined;
      next = { type: "connected" };
    } else if (standing === "joining" || this.#viewJoins > 0) {
      next = { type: this.#wasJoined ? "reconnecting" : "connecting" };
    } else {
      this.#wasJoined = false;
      next = this.#error
        ? { type: "disconnected", error: this.#error }
        : { type: "disconnected" };
    }
    const current = this.#status;
    if (
      current.type !== next.type ||
      (current.type === "disconnected" && next.type === "disconnected" &&
        current.error !== next.error)
    ) {
      this.#status = next;
      this.#view?.show(next);
    }
    if (this.idle) this.#forget(this);
  }
}

/** The states of every channel the manager knows of, by name. */
export class Channels {
  #host: ChannelHost;
  #states: Map<string, ChannelState> = new Map();
  #forget = (state: ChannelState): void => {
    if (this.#states.get(state.name) === state) this.#states.delete(state.name);
  };

  constructor(host: ChannelHost) {
    this.#host = host;
  }

  /** The state of `name`, made on first use. */
  get(name: string): ChannelState {
    let state = this.#states.get(name);
    if (!state) {
      state = new ChannelState(name, this.#host, this.#forget);
      this.#states.set(name, state);
    }
    return state;
  }

  /** The state of `name` if the manager knows the channel. */
  find(name: string): ChannelState | undefined {
    return this.#states.get(name);
  }

  /** The channels the client is a member of. */
  members(): ChannelState[] {
    return [...this.#states.values()].filter((state) => state.isMember);
  }

  /**
   * The connection is gone: see {@linkcode ChannelState.dropped}. Answers
   * the channels whose membership was given up.
   */
  dropped(keepMemberships: boolean): string[] {
    const given: string[] = [];
    for (const state of this.#states.values()) {
      if (state.dropped(keepMemberships)) given.push(state.name);
    }
    return given;
  }

  /** The connection changed: every channel recomputes its status. */
  refresh(): void {
    for (const state of [...this.#states.values()]) state.refresh();
  }
}

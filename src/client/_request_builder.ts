/**
 * Turns the manager's calls into requests: checks their arguments (channel
 * and event names, `echo`), fills in the defaults, gives each publish its
 * client message id, and reads the relay's answer into what the call
 * resolves with. A bad argument throws here, before anything is queued or
 * sent; the manager turns the throw into a rejection. Internal to the
 * client layer.
 *
 * @module
 */

import {
  encodeFrame,
  isChannelName,
  isEventName,
  MAX_EVENT_LENGTH,
  type Member,
  membersFrame,
  type PubAckData,
  pubFrame,
  RESERVED_EVENT_PREFIX,
  updateFrame,
} from "../protocol/mod.ts";
import type { Channels } from "./_channel_state.ts";
import type { Request, Requests } from "./_requests.ts";
import { RealtimeError } from "./realtime_error.ts";

/** Settles a call: with an error, or with what it resolves to. */
export type Finish<T = void> = (error: RealtimeError | null, value?: T) => void;

/** What the builder needs from its manager. */
export interface BuilderHost {
  readonly requests: Requests;
  readonly channels: Channels;
  /** The default of every call's `echo`. */
  readonly echo: boolean;
  /** The relay accepted a new profile. */
  profileChanged(profile: unknown): void;
  /** Sends a frame's text on the socket now (volatile publishes). */
  transmit(text: string): void;
  /** This client broadcast app-wide `offset` without echo: it is no gap. */
  skipApp(offset: number): void;
}

/** Builds the request of each manager call; see the module doc. */
export class RequestBuilder {
  #host: BuilderHost;
  #mid = 0;

  constructor(host: BuilderHost) {
    this.#host = host;
  }

  join(channel: string, echo: boolean | undefined, finish: Finish): Request {
    this.#checkChannel(channel);
    return this.#host.channels.get(channel).join(this.#echo(echo), finish);
  }

  leave(channel: string, echo: boolean | undefined, finish: Finish): Request {
    this.#checkChannel(channel);
    return this.#host.channels.get(channel).leave(this.#echo(echo), finish);
  }

  members(channel: string, finish: Finish<Member[]>): Request {
    this.#checkChannel(channel);
    return this.#host.requests.create(
      membersFrame(channel),
      (error, data) => {
        if (error) return finish(error);
        const members = (data as { members?: unknown } | undefined)?.members;
        if (Array.isArray(members)) return finish(null, members);
        finish(
          new RealtimeError("bad_response", "The members ack has no members"),
        );
      },
    );
  }

  update(data: unknown, echo: boolean | undefined, finish: Finish): Request {
    const frame = updateFrame(data, { echo: this.#echo(echo) });
    return this.#host.requests.create(frame, (error) => {
      if (!error) this.#host.profileChanged(frame.profile);
      finish(error);
    });
  }

  /**
   * A volatile publish to `channel`, sent now if the channel is joined on a
   * live connection (no ref, no mid, never queued); `false` when dropped.
   */
  volatile(
    channel: string,
    event: string,
    data: unknown,
    echo: boolean | undefined,
  ): Promise<boolean> {
    try {
      this.#checkChannel(channel);
      this.#checkEvent(event);
      const frame = pubFrame(channel, event, {
        data,
        echo: this.#echo(echo),
        volatile: true,
      });
      if (!this.#host.channels.find(channel)?.live) {
        return Promise.resolve(false);
      }
      this.#host.transmit(encodeFrame(frame));
      return Promise.resolve(true);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A publish to `channel`, or app-wide when it is `null`. */
  publish(
    channel: string | null,
    event: string,
    data: unknown,
    echo: boolean | undefined,
    finish: Finish,
  ): Request {
    if (channel !== null) this.#checkChannel(channel);
    this.#checkEvent(event);
    const frame = pubFrame(channel, event, {
      data,
      echo: this.#echo(echo),
      mid: String(++this.#mid),
    });
    if (frame.echo) {
      return this.#host.requests.create(frame, (error) => finish(error));
    }
    // Its own message will not come back: its offset is no gap.
    return this.#host.requests.create(frame, (error, data) => {
      const offset = (data as PubAckData | undefined)?.offset;
      if (!error && typeof offset === "number") {
        if (channel === null) this.#host.skipApp(offset);
        else this.#host.channels.find(channel)?.skip(offset);
      }
      finish(error);
    });
  }

  #checkEvent(event: string): void {
    if (!isEventName(event)) {
      throw new RealtimeError(
        "bad_event",
        `The event name must be a string of 1 to ${MAX_EVENT_LENGTH} characters, not starting with '${RESERVED_EVENT_PREFIX}'`,
      );
    }
  }

  #echo(echo: boolean | undefined): boolean {
    if (echo === undefined) return this.#host.echo;
    if (typeof echo !== "boolean") {
      throw new TypeError(
        `Cannot send as 'echo' must be a boolean: current value is ${
          String(echo)
        }`,
      );
    }
    return echo;
  }

  #checkChannel(channel: unknown): void {
    const maxLength = this.#host.requests.limits?.channelLength ?? Infinity;
    if (!isChannelName(channel, maxLength)) {
      throw new RealtimeError(
        "bad_channel",
        `Invalid channel name: ${JSON.stringify(channel) ?? String(channel)}`,
      );
    }
  }
}

/**
 * The inbound frame pipeline of every connection: liveness, the queue behind
 * a frame that waits (on a hook or the store), decoding, the rate limit, the
 * hello-first rule, and what bad input costs. Internal.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import {
  decodeClientFrame,
  type ErrorBody,
  PING,
  PONG,
  RelayCloseCode,
  type RelayLimits,
} from "../protocol/mod.ts";
import type { Context, Counters } from "./_context.ts";
import type { Connection } from "./_connection.ts";
import type { FrameHandlers } from "./_handlers.ts";

/** Frames queued behind a waiting frame, per connection, before more are refused. */
const MAX_QUEUE = 1024;

type Data = string | ArrayBuffer | Uint8Array;

/** Feeds each connection's frames to the handlers, in order. */
export class FramePipeline {
  #context: Context;
  #handlers: FrameHandlers;
  // Read for every frame: kept at hand.
  #counters: Counters;
  #clock: Clock;
  #limits: RelayLimits;

  constructor(context: Context, handlers: FrameHandlers) {
    this.#context = context;
    this.#counters = context.counters;
    this.#clock = context.clock;
    this.#limits = context.settings.limits;
    this.#handlers = handlers;
  }

  /** Takes one inbound frame; never throws. */
  receive(conn: Connection, data: Data): void {
    if (!conn.serving) return;
    const counters = this.#counters;
    counters.messagesIn++;
    conn.lastSeen = this.#clock.now();
    try {
      if (data === PING) {
        conn.send(PONG);
        return;
      }
      if (conn.busy) {
        if (conn.queue.length < MAX_QUEUE) conn.queue.push(data);
        else {
          counters.rateLimited++;
          conn.reply(undefined, {
            code: "rate_limited",
            message: "Too many frames waiting",
          });
        }
        return;
      }
      this.#process(conn, data);
    } catch (error) {
      this.#internal(conn, error);
    }
  }

  #process(conn: Connection, data: Data): void {
    const limits = this.#limits;
    if (typeof data !== "string") {
      if (data.byteLength > limits.frameBytes) this.#tooLarge(conn);
      else {
        this.#bad(conn, {
          code: "bad_frame",
          message: "Binary frames are not supported",
        });
      }
      return;
    }
    const result = decodeClientFrame(data, limits);
    if (!result.ok) {
      const error = result.error;
      if (error.code === "too_large") this.#tooLarge(conn);
      else if (error.code === "profile_too_large") conn.reply(error.ref, error);
      else this.#bad(conn, error, error.ref);
      return;
    }
    const frame = result.frame;
    // The handshake is not rate limited (nor is `ping`, answered above): a
    // client that spent its burst just before a reconnect must still get in.
    const handshake = frame.type === "hello" && conn.state === "pending";
    if (
      !handshake && conn.bucket !== undefined &&
      !conn.bucket.take(this.#clock.now())
    ) {
      this.#context.counters.rateLimited++;
      conn.reply(frame.ref, {
        code: "rate_limited",
        message: `More than ${limits.rate} messages per second`,
      });
      return;
    }
    if (conn.state === "pending" && frame.type !== "hello") {
      this.#bad(
        conn,
        { code: "hello_required", message: "Send 'hello' first" },
        frame.ref,
      );
      return;
    }
    const pending = this.#handlers.handle(conn, frame);
    if (pending !== undefined) {
      conn.busy = true;
      pending.then(undefined, (error) => this.#internal(conn, error)).then(
        () => {
          conn.busy = false;
          this.#drain(conn);
        },
      );
    }
  }

  #drain(conn: Connection): void {
    while (!conn.busy && conn.queue.length > 0 && conn.serving) {
      try {
        this.#process(conn, conn.queue.shift()!);
      } catch (error) {
        this.#internal(conn, error);
      }
    }
    if (!conn.serving) conn.queue.length = 0;
  }

  #bad(conn: Connection, error: ErrorBody, ref?: number): void {
    this.#context.counters.badFrames++;
    conn.reply(ref, error);
    const { clock, settings } = this.#context;
    const now = clock.now();
    const times = conn.badTimes;
    times.push(now);
    if (times.length > settings.badFrameLimit) times.shift();
    if (
      times.length === settings.badFrameLimit &&
      now - times[0] <= settings.badFrameWindow
    ) {
      conn.terminate(RelayCloseCode.policyViolation, "too many bad frames", {
        linger: true,
      });
    }
  }

  #tooLarge(conn: Connection): void {
    this.#context.counters.badFrames++;
    conn.reply(undefined, {
      code: "too_large",
      message:
        `Frame exceeds ${this.#context.settings.limits.frameBytes} bytes`,
    });
    conn.terminate(RelayCloseCode.messageTooBig, "frame too large", {
      linger: true,
    });
  }

  #internal(conn: Connection, error: unknown): void {
    this.#context.report(error);
    conn.reply(undefined, {
      code: "internal",
      message: "Internal relay error",
    });
  }
}

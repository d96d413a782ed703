/**
 * The inbound frame pipeline of every connection: liveness, the queue behind
 * a frame that waits (on a hook or the store), the size check, the rate
 * limit (before decoding), decoding, the hello-first rule, and what bad
 * input costs. Internal.
 *
 * @module
 */

import { byteLength } from "../core/byte_length.ts";
import type { Clock } from "../core/clock.ts";
import {
  decodeClientFrame,
  type ErrorBody,
  PING,
  PONG,
  RelayCloseCode,
  type RelayLimits,
} from "../protocol/mod.ts";
import { peekRef } from "../protocol/_depth.ts";
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
    const now = this.#clock.now();
    conn.lastSeen = now;
    try {
      if (data === PING) {
        counters.framesIn.ping = (counters.framesIn.ping ?? 0) + 1;
        conn.send(PONG);
        return;
      }
      conn.lastActive = now;
      if (conn.busy) {
        const queue = conn.queue ??= [];
        if (queue.length >= MAX_QUEUE) {
          this.#rateLimited(conn, data, undefined, "Too many frames waiting");
        } else queue.push(data);
        return;
      }
      this.#process(conn, data, now);
    } catch (error) {
      this.#internal(conn, error);
    }
  }

  /** `now`: the time the frame is taken up (one clock read per frame). */
  #process(conn: Connection, data: Data, now: number): void {
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
    // Each UTF-16 unit is 1 to 3 UTF-8 bytes: count exactly only when unsure.
    const frameBytes = limits.frameBytes;
    if (
      data.length > frameBytes ||
      (data.length * 3 > frameBytes && byteLength(data) > frameBytes)
    ) {
      this.#tooLarge(conn);
      return;
    }
    // An open connection pays its token before the frame is decoded, so
    // frames over the rate cost no parsing.
    const open = conn.state === "open";
    if (open && !conn.takeToken(now)) {
      this.#rateLimited(conn, data);
      return;
    }
    const result = decodeClientFrame(data, limits);
    if (!result.ok) {
      const error = result.error;
      if (error.code === "too_large") this.#tooLarge(conn);
      else this.#bad(conn, error, error.ref);
      return;
    }
    const frame = result.frame;
    const framesIn = this.#counters.framesIn;
    framesIn[frame.type] = (framesIn[frame.type] ?? 0) + 1;
    if (!open) {
      // Before the welcome, every frame either opens the session or counts
      // as a bad frame, so decoding them first is bounded. The handshake is
      // not rate limited (nor is `ping`, answered above): a client that
      // spent its burst just before a reconnect must still get in.
      const handshake = frame.type === "hello";
      if (!handshake && !conn.takeToken(now)) {
        this.#rateLimited(conn, data, frame.ref);
        return;
      }
      if (!handshake) {
        this.#bad(
          conn,
          { code: "hello_required", message: "Send 'hello' first" },
          frame.ref,
        );
        return;
      }
    }
    conn.rateNoticed = false;
    conn.frameAt = now;
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

  /**
   * A frame refused for rate, not decoded. A `ref` found in the frame's
   * first characters gets its ack (`rate_limited`); of frames without one,
   * only the first of a run of refusals gets an `error` frame (the run ends
   * when a frame of the connection is served again). `rateRefusalLimit`
   * refusals within `badFrameWindow` close the connection (bye, 1013).
   */
  #rateLimited(
    conn: Connection,
    data: Data,
    ref?: number,
    message =
      `More than ${this.#limits.rate} messages per second (burst ${this.#limits.burst}): send less often, or raise the relay's limits.rate`,
  ): void {
    this.#counters.rateLimited++;
    const { clock, settings } = this.#context;
    const now = clock.now();
    if (now - conn.rateSince > settings.badFrameWindow) {
      conn.rateSince = now;
      conn.rateRefusals = 0;
    }
    const limit = settings.rateRefusalLimit;
    if (conn.rateRefusals === 0) {
      this.#context.log?.("warn", "rate_limited", { session: conn.id });
    }
    if (limit > 0 && ++conn.rateRefusals >= limit) {
      this.#context.log?.("warn", "rate_limit_close", {
        session: conn.id,
        refusals: conn.rateRefusals,
      });
      conn.terminate(RelayCloseCode.tryAgainLater, "rate limit exceeded", {
        bye: "rate_limited",
        retryAfter: settings.badFrameWindow,
        linger: true,
      });
      return;
    }
    if (ref === undefined && typeof data === "string") ref = peekRef(data);
    if (ref === undefined) {
      if (conn.rateNoticed) return;
      conn.rateNoticed = true;
    }
    conn.reply(ref, { code: "rate_limited", message });
  }

  #drain(conn: Connection): void {
    let queue;
    while (
      !conn.busy && (queue = conn.queue) !== undefined && queue.length > 0 &&
      conn.serving
    ) {
      try {
        this.#process(conn, queue.shift()!, this.#clock.now());
      } catch (error) {
        this.#internal(conn, error);
      }
    }
    // Drained (or no longer served): let the array go.
    if (!conn.busy || !conn.serving) conn.queue = undefined;
  }

  #bad(conn: Connection, error: ErrorBody, ref?: number): void {
    this.#context.counters.badFrames++;
    conn.reply(ref, error);
    const { clock, settings } = this.#context;
    const now = clock.now();
    const times = conn.badTimes ??= [];
    times.push(now);
    if (times.length > settings.badFrameLimit) times.shift();
    if (
      times.length === settings.badFrameLimit &&
      now - times[0] <= settings.badFrameWindow
    ) {
      this.#context.log?.("warn", "bad_frames_close", {
        session: conn.id,
        count: times.length,
        code: error.code,
      });
      conn.terminate(RelayCloseCode.policyViolation, "too many bad frames", {
        linger: true,
      });
    }
  }

  #tooLarge(conn: Connection): void {
    this.#context.counters.badFrames++;
    this.#context.log?.("warn", "too_large_close", { session: conn.id });
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

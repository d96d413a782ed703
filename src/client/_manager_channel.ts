/**
 * The {@linkcode RealtimeChannel} that `RealtimeManager.channel()` returns: a
 * view of one channel over the manager's shared connection. Internal; the
 * public type is the interface.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { Emitter, type EventStream } from "../core/event_stream.ts";
import type {
  ChannelMessage,
  ChannelSendOptions,
  ChannelStatus,
  RealtimeChannel,
} from "./realtime_channel.ts";
import { RealtimeError } from "./realtime_error.ts";
import { StateEmitter, type StateStream } from "../core/state_stream.ts";

/** Where a channel stands on the manager's connection. */
export type ChannelState = "joined" | "joining" | "none";

/** What a view needs from its manager. */
export interface ChannelHost {
  readonly clock: Clock;
  state(channel: string): ChannelState;
  join(channel: string): Promise<void>;
  leave(channel: string): Promise<void>;
  send(
    channel: string,
    event: string,
    data: unknown,
    echo?: boolean,
  ): Promise<void>;
  release(view: ManagerChannel): void;
}

/** A message as the manager hands it to a view. */
export interface ViewMessage {
  event: string;
  message: unknown;
  senderId: string | null;
  offset?: number;
}

/** One channel over a manager's connection. */
export class ManagerChannel implements RealtimeChannel {
  readonly channelId: string;
  #host: ChannelHost;
  #messages: Emitter<ChannelMessage> = new Emitter();
  #status: StateEmitter<ChannelStatus> = new StateEmitter<ChannelStatus>({
    type: "disconnected",
  });
  #pending = 0;
  #wasConnected = false;
  #error: RealtimeError | undefined;
  #disposed = false;

  constructor(channelId: string, host: ChannelHost) {
    this.channelId = channelId;
    this.#host = host;
  }

  get isConnected(): boolean {
    return this.#status.value.type === "connected";
  }

  get messages(): EventStream<ChannelMessage> {
    return this.#messages;
  }

  get status(): StateStream<ChannelStatus> {
    return this.#status;
  }

  async connect(): Promise<void> {
    if (this.#disposed) {
      throw new RealtimeError("closed", "The channel was disposed");
    }
    this.#error = undefined;
    this.#pending++;
    this.refresh();
    try {
      await this.#host.join(this.channelId);
    } catch (error) {
      if (error instanceof RealtimeError) this.#error = error;
      throw error;
    } finally {
      this.#pending--;
      this.refresh();
    }
  }

  async disconnect(): Promise<void> {
    await this.#host.leave(this.channelId);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#host.release(this);
    try {
      await this.disconnect();
    } catch (error) {
      // A closed manager has left every channel already.
      if (!(error instanceof RealtimeError && error.code === "closed")) {
        throw error;
      }
    } finally {
      this.#messages.close();
      this.#status.close();
    }
  }

  send(payload: unknown, options: ChannelSendOptions = {}): Promise<void> {
    if (this.#disposed) {
      return Promise.reject(
        new RealtimeError("closed", "The channel was disposed"),
      );
    }
    const { type = "message", echo } = options;
    return this.#host.send(this.channelId, type, payload, echo);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /** Hands a message published in this channel to the stream. */
  deliver(message: ViewMessage): void {
    this.#messages.emit({
      channelId: this.channelId,
      type: message.event,
      payload: message.message,
      senderId: message.senderId,
      offset: message.offset,
      timestamp: this.#host.clock.now(),
    });
  }

  /** Recomputes the status after the manager's state changed. */
  refresh(error?: RealtimeError): void {
    if (error) this.#error = error;
    const state = this.#host.state(this.channelId);
    let next: ChannelStatus;
    if (state === "joined") {
      this.#wasConnected = true;
      this.#error = undefined;
      next = { type: "connected" };
    } else if (state === "joining" || this.#pending > 0) {
      next = { type: this.#wasConnected ? "reconnecting" : "connecting" };
    } else {
      this.#wasConnected = false;
      next = this.#error
        ? { type: "disconnected", error: this.#error }
        : { type: "disconnected" };
    }
    const current = this.#status.value;
    if (
      current.type !== next.type ||
      (current.type === "disconnected" && next.type === "disconnected" &&
        current.error !== next.error)
    ) {
      this.#status.emit(next);
    }
  }
}

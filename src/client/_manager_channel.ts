/**
 * The {@linkcode RealtimeChannel} that `RealtimeManager.channel()` returns: a
 * view of one channel over the manager's shared connection. It holds no
 * state of its own: the channel's state object pushes each status change
 * and each message to it. Internal; the public type is the interface.
 *
 * @module
 */

import { Emitter, type EventStream } from "../core/event_stream.ts";
import type { ResyncEvent } from "./realtime_events.ts";
import type {
  ChannelMessage,
  ChannelSendOptions,
  ChannelStatus,
  RealtimeChannel,
} from "./realtime_channel.ts";
import { RealtimeError } from "./realtime_error.ts";
import { StateEmitter, type StateStream } from "../core/state_stream.ts";

/** What a view asks of the channel it shows. */
export interface ViewHost {
  /** Joins the channel, tracking the attempt in the status. */
  connect(): Promise<void>;
  leave(): Promise<void>;
  send(event: string, data: unknown, echo?: boolean): Promise<void>;
  /** The view is disposed: stop pushing to it. */
  release(view: ManagerChannel): void;
}

/** One channel over a manager's connection. */
export class ManagerChannel implements RealtimeChannel {
  readonly channelId: string;
  #host: ViewHost;
  #messages: Emitter<ChannelMessage> = new Emitter();
  #resyncs: Emitter<ResyncEvent> = new Emitter();
  #status: StateEmitter<ChannelStatus>;
  #disposed = false;

  constructor(channelId: string, host: ViewHost, status: ChannelStatus) {
    this.channelId = channelId;
    this.#host = host;
    this.#status = new StateEmitter<ChannelStatus>(status);
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

  get resyncs(): EventStream<ResyncEvent> {
    return this.#resyncs;
  }

  connect(): Promise<void> {
    if (this.#disposed) {
      return Promise.reject(
        new RealtimeError("closed", "The channel was disposed"),
      );
    }
    return this.#host.connect();
  }

  async disconnect(): Promise<void> {
    await this.#host.leave();
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
      this.#resyncs.close();
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
    return this.#host.send(type, payload, echo);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /** Hands a message published in this channel to the stream. */
  deliver(message: ChannelMessage): void {
    this.#messages.emit(message);
  }

  /** Tells the view its missed messages could not be recovered. */
  resync(event: ResyncEvent): void {
    this.#resyncs.emit(event);
  }

  /** Shows the channel's new status. */
  show(status: ChannelStatus): void {
    this.#status.emit(status);
  }
}

/**
 * The messages a connection received, as a `ReadableStream` with
 * backpressure: once the stream is taken, the connection reads bytes only
 * while fewer than `highWaterMark` messages wait in it. Untaken (the
 * connection is read through events), it stops holding messages once
 * `highWaterMark` wait, and ends after those. Internal.
 *
 * @module
 */

export type Message = string | Uint8Array;

export class Inbox {
  readonly #readable: ReadableStream<Message>;
  #taken = false;
  #controller: ReadableStreamDefaultController<Message> | undefined;
  #resume: (() => void) | undefined;

  /** `cancel` runs when the reader cancels the stream. */
  constructor(highWaterMark: number, cancel: () => void) {
    this.#readable = new ReadableStream<Message>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#wake(),
      cancel,
    }, new CountQueuingStrategy({ highWaterMark }));
  }

  /** The stream; taking it turns on backpressure. */
  get readable(): ReadableStream<Message> {
    this.#taken = true;
    return this.#readable;
  }

  /** Whether reading must wait: the stream is taken and has no room. */
  get full(): boolean {
    const controller = this.#controller;
    return this.#taken && controller !== undefined &&
      (controller.desiredSize ?? 1) <= 0;
  }

  /** Resolves once the reader pulls (or the inbox ends). */
  room(): Promise<void> {
    return new Promise<void>((resolve) => this.#resume = resolve);
  }

  /** Queues a message, while anyone may read it. */
  push(data: Message): void {
    const controller = this.#controller;
    if (controller === undefined) return;
    controller.enqueue(data);
    if (!this.#taken && (controller.desiredSize ?? 1) <= 0) {
      // Read as events: stop holding messages nobody takes.
      controller.close();
      this.#controller = undefined;
    }
  }

  /** Ends the stream after what it holds, and wakes a wait for room. */
  end(): void {
    try {
      this.#controller?.close();
    } catch {
      // Already closed or cancelled.
    }
    this.#wake();
  }

  #wake(): void {
    const resume = this.#resume;
    this.#resume = undefined;
    resume?.();
  }
}

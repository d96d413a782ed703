/**
 * `Serial`: steps that must run in order although some are asynchronous (a
 * message being inflated, a Blob being read, a message being compressed).
 * A failed step does not stop the ones after it. Internal.
 *
 * @module
 */

export class Serial {
  #tail: Promise<void> | undefined;

  /** Settles once every step queued so far has; `undefined` when none waits. */
  get tail(): Promise<void> | undefined {
    return this.#tail;
  }

  /**
   * Runs `step` at once if nothing waits, after what waits otherwise; a step
   * that returns a promise holds back the ones after it until it settles.
   */
  run(step: () => void | Promise<void>): void {
    const pending = this.#tail === undefined ? step() : this.#tail.then(step);
    if (pending !== undefined) this.#track(pending);
  }

  /** Runs `step` after what waits, never synchronously; settles as it does. */
  later<T>(step: () => Promise<T>): Promise<T> {
    const done = (this.#tail ?? Promise.resolve()).then(step);
    this.#track(done);
    return done;
  }

  #track(pending: Promise<unknown>): void {
    const tracked = pending.then(() => {}, () => {});
    this.#tail = tracked;
    tracked.then(() => {
      if (this.#tail === tracked) this.#tail = undefined;
    });
  }
}

/**
 * The pings a connection sent and waits on: a pong answers the ping with its
 * payload and every ping sent before it (RFC 6455 lets a peer answer only
 * the latest). Internal.
 *
 * @module
 */

interface Waiting {
  key: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class Pings {
  #waiting: Waiting[] = [];

  /** A promise of the pong to a ping with `payload`. */
  wait(payload: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ key: payload.join(), resolve, reject });
    });
  }

  /** Resolves the ping `data` answers and those before it; others are ignored. */
  pong(data: Uint8Array): void {
    const key = data.join();
    const at = this.#waiting.findIndex((p) => p.key === key);
    if (at < 0) return;
    for (const ping of this.#waiting.splice(0, at + 1)) ping.resolve();
  }

  /** Rejects every ping still waiting with `error`. */
  rejectAll(error: Error): void {
    for (const ping of this.#waiting.splice(0)) ping.reject(error);
  }
}

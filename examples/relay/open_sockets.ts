/**
 * Counts a server's open WebSockets so a shutdown can wait for their close
 * handshakes: `Deno.serve`'s `shutdown()` otherwise cuts the sockets with
 * its own 1001 before the relay's 1012 (service restart) reaches clients.
 *
 * @module
 */

/** A count of open sockets that can be awaited to reach zero. */
export class OpenSockets {
  #count = 0;
  #waiters = new Set<() => void>();

  /** Sockets open now. */
  get size(): number {
    return this.#count;
  }

  /** Counts a socket that opened. */
  opened(): void {
    this.#count++;
  }

  /** Counts a socket that closed; call once per opened socket. */
  closed(): void {
    this.#count = Math.max(0, this.#count - 1);
    if (this.#count > 0) return;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  /** Resolves `true` once no socket is open, or `false` after `timeoutMs` ms. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        resolve(false);
      }, timeoutMs);
      this.#waiters.add(wake);
    });
  }
}

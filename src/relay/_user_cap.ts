/**
 * The per-user connection cap: how many connections each user id holds on
 * this relay, pending or welcomed. Internal.
 *
 * @module
 */

/** Counts connections per user id against `maxConnectionsPerUser`. */
export class UserCap {
  #max: number;
  #counts = new Map<string, number>();

  /** `max` 0 counts nothing and refuses nothing. */
  constructor(max: number) {
    this.#max = max;
  }

  /** Whether `userId` already holds as many connections as it may. */
  full(userId: string | undefined): boolean {
    if (this.#max <= 0 || userId === undefined) return false;
    return (this.#counts.get(userId) ?? 0) >= this.#max;
  }

  /** A connection of `userId` arrived. */
  add(userId: string | undefined): void {
    if (this.#max <= 0 || userId === undefined) return;
    this.#counts.set(userId, (this.#counts.get(userId) ?? 0) + 1);
  }

  /** A connection of `userId` is gone. */
  remove(userId: string | undefined): void {
    if (this.#max <= 0 || userId === undefined) return;
    const count = (this.#counts.get(userId) ?? 0) - 1;
    if (count > 0) this.#counts.set(userId, count);
    else this.#counts.delete(userId);
  }
}

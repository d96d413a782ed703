/**
 * A connection's channels by name, without a `Map` for the usual one.
 * Internal.
 *
 * @module
 */

import type { Channel, ChannelMember } from "./_channel.ts";

/**
 * A connection's channels by name, with the `Map` methods the relay uses.
 * Most connections are in one channel: it is held in two fields, and a
 * `Map` (whose table costs hundreds of bytes on some runtimes) is made only
 * for a second one.
 */
export class ChannelMap<M extends ChannelMember = ChannelMember> {
  #name: string | undefined;
  #channel: Channel<M> | undefined;
  #map: Map<string, Channel<M>> | undefined;

  get size(): number {
    if (this.#map !== undefined) return this.#map.size;
    return this.#name === undefined ? 0 : 1;
  }

  get(name: string): Channel<M> | undefined {
    if (this.#map !== undefined) return this.#map.get(name);
    return name === this.#name ? this.#channel : undefined;
  }

  has(name: string): boolean {
    if (this.#map !== undefined) return this.#map.has(name);
    return name === this.#name;
  }

  set(name: string, channel: Channel<M>): this {
    if (this.#map !== undefined) this.#map.set(name, channel);
    else if (this.#name === undefined || this.#name === name) {
      this.#name = name;
      this.#channel = channel;
    } else {
      this.#map = new Map([[this.#name, this.#channel!], [name, channel]]);
      this.#name = this.#channel = undefined;
    }
    return this;
  }

  delete(name: string): boolean {
    if (this.#map !== undefined) return this.#map.delete(name);
    if (name !== this.#name) return false;
    this.#name = this.#channel = undefined;
    return true;
  }

  clear(): void {
    this.#map = undefined;
    this.#name = this.#channel = undefined;
  }

  /** The names, in join order. */
  *keys(): IterableIterator<string> {
    if (this.#map !== undefined) yield* this.#map.keys();
    else if (this.#name !== undefined) yield this.#name;
  }

  /** The channels, in join order. */
  *values(): IterableIterator<Channel<M>> {
    if (this.#map !== undefined) yield* this.#map.values();
    else if (this.#name !== undefined) yield this.#channel!;
  }
}

/**
 * The native fan-out hook: runtimes with topic publishing (Bun's
 * `server.publish`) deliver channel frames without the relay looping.
 *
 * @module
 */

import type { RelaySocket } from "./socket.ts";

/**
 * Native fan-out. When a relay is given one, it subscribes each socket to
 * the topic of every channel it joins (the channel name) and, once
 * welcomed, to the app-wide topic {@linkcode APP_TOPIC}; it then publishes
 * each channel message, presence change and app-wide broadcast once per
 * topic instead of sending to each socket. The relay cannot see each
 * socket's backlog as it publishes, so it looks after publishing: at once
 * (at most every 10 ms) when `publish` answers `false`, else at most once a
 * second, and in any case once an eighth of `limits.frameBytes` has been
 * published since it last looked. A socket over `softBufferedBytes` is
 * unsubscribed from its topics and sent its frames one by one, under the
 * backlog rules of every socket, until it is back under half of it; then it
 * is subscribed again.
 *
 * @example A fan-out that loops over sets (what the relay does without one)
 * ```ts
 * import type { Fanout, RelaySocket } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const topics = new Map<string, Set<RelaySocket>>();
 * const fanout: Fanout = {
 *   subscribe(socket, topic) {
 *     topics.get(topic)?.add(socket) ?? topics.set(topic, new Set([socket]));
 *   },
 *   unsubscribe(socket, topic) {
 *     topics.get(topic)?.delete(socket);
 *   },
 *   publish(topic, frame, except) {
 *     for (const socket of topics.get(topic) ?? []) {
 *       if (socket !== except) socket.send(frame);
 *     }
 *   },
 * };
 * const sent: string[] = [];
 * fanout.subscribe({ send: (t) => sent.push(t), close() {} }, "lobby");
 * fanout.publish("lobby", "hello");
 * assert.deepEqual(sent, ["hello"]);
 * ```
 */
export interface Fanout {
  /** Adds `socket` to `topic`. */
  subscribe(socket: RelaySocket, topic: string): void;
  /** Removes `socket` from `topic`. */
  unsubscribe(socket: RelaySocket, topic: string): void;
  /**
   * Sends `frame` to every socket subscribed to `topic`, except `except`
   * when given. Answers `false` when a subscriber's copy was held back or
   * dropped for backpressure (Bun's `publish` answering -1 or 0), which
   * makes the relay check its sockets' backlogs now; any other answer means
   * nothing.
   */
  publish(topic: string, frame: string, except?: RelaySocket): unknown;
}

/**
 * The fan-out topic every welcomed connection is subscribed to, for app-wide
 * broadcasts. `#` cannot appear in a channel name, so it never collides.
 *
 * @example Naming the app-wide topic
 * ```ts
 * import { APP_TOPIC } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * assert.equal(APP_TOPIC, "#app");
 * ```
 */
export const APP_TOPIC = "#app";

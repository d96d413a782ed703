/**
 * The world the client tests run in: a relay behind an in-memory network
 * (`tests/_relay_link.ts`), a fake clock, and managers on it, with the
 * helpers the client tests share.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createTestClock, type TestClock } from "../_fake_clock.ts";
import { ConstantBackoff } from "../../src/core/backoff.ts";
import { Relay, type RelayOptions } from "../../src/relay/mod.ts";
import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import type { RealtimeManagerOptions } from "../../src/client/realtime_manager_options.ts";
import type { RealtimeMessage } from "../../src/client/realtime_events.ts";
import { RealtimeError } from "../../src/client/realtime_error.ts";
import {
  type LinkedSocket,
  type RelayLink,
  relayLink,
} from "../_relay_link.ts";

export const URL_ = "ws://relay.test/ws";
export const RETRY_MS = 100;

/** A relay behind an in-memory network, a fake clock, and managers on it. */
export class World implements AsyncDisposable {
  readonly clock: TestClock = createTestClock();
  readonly link: RelayLink;
  readonly managers: RealtimeManager[] = [];
  #sockets = new Map<RealtimeManager, LinkedSocket[]>();

  constructor(relayOptions: RelayOptions = {}) {
    this.link = relayLink(new Relay({ clock: this.clock, ...relayOptions }));
  }

  /** A manager on the in-memory network; `drops` loses the events it matches. */
  manager(
    options: RealtimeManagerOptions = {},
    drops?: (event: Event) => boolean,
  ): RealtimeManager {
    const mine: LinkedSocket[] = [];
    const Base = this.link.WebSocket;
    class Mine extends (Base as new (url: string) => LinkedSocket) {
      constructor(url: string) {
        super(url);
        mine.push(this);
      }
      override dispatchEvent(event: Event): boolean {
        return drops?.(event) === true || super.dispatchEvent(event);
      }
    }
    const manager = new RealtimeManager(URL_, {
      WebSocket: Mine,
      clock: this.clock,
      backoff: new ConstantBackoff(RETRY_MS),
      keepalive: false,
      ...options,
    });
    this.managers.push(manager);
    this.#sockets.set(manager, mine);
    return manager;
  }

  /** A manager that has been welcomed. */
  async connected(
    options: RealtimeManagerOptions = {},
  ): Promise<RealtimeManager> {
    const manager = this.manager(options);
    await connectedOnce(manager);
    return manager;
  }

  /**
   * A welcomed manager whose network loses, once, the first message whose
   * text `loses` matches; `lost()` says whether that has happened.
   */
  async lossy(
    loses: (text: string) => boolean,
  ): Promise<{ manager: RealtimeManager; lost: () => boolean }> {
    let lost = false;
    const manager = this.manager({}, (event) => {
      if (lost || !(event instanceof MessageEvent)) return false;
      return lost = loses(String(event.data));
    });
    await connectedOnce(manager);
    return { manager, lost: () => lost };
  }

  /** The manager's current (latest) socket. */
  socket(manager: RealtimeManager): LinkedSocket {
    const socket = this.#sockets.get(manager)?.at(-1);
    assert.ok(socket, "the manager made no socket");
    return socket;
  }

  /** Cuts a manager's connection; it retries after RETRY_MS of fake time. */
  drop(manager: RealtimeManager): void {
    this.socket(manager).drop();
  }

  /** Lets the retry happen and waits for the welcome. */
  async reconnect(manager: RealtimeManager): Promise<void> {
    const back = connectedOnce(manager);
    this.clock.tick(RETRY_MS);
    await back;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.managers.map((m) => m.close()));
    this.link.relay.close();
  }
}

export function connectedOnce(manager: RealtimeManager): Promise<void> {
  return new Promise((resolve) => {
    const off = manager.onConnect(() => {
      off();
      resolve();
    });
  });
}

export function next<T>(
  register: (listener: (value: T) => void) => () => void,
): Promise<T> {
  return new Promise((resolve) => {
    const off = register((value) => {
      off();
      resolve(value);
    });
  });
}

export function collect(
  manager: RealtimeManager,
  event: string,
): RealtimeMessage[] {
  const heard: RealtimeMessage[] = [];
  manager.on(event, (message) => heard.push(message));
  return heard;
}

export async function rejects(
  promise: Promise<unknown>,
  code: string,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof RealtimeError, String(error));
    assert.equal(error.code, code);
    return true;
  });
}

export function frames(sent: readonly unknown[]): Record<string, unknown>[] {
  return sent.filter((s): s is string => typeof s === "string" && s !== "ping")
    .map((s) => JSON.parse(s));
}

/** Two welcomed managers that have joined `channel`; `bob` made with `bobOptions`. */
export async function pair(
  world: World,
  channel = "room",
  bobOptions: RealtimeManagerOptions = {},
): Promise<{ alice: RealtimeManager; bob: RealtimeManager }> {
  const alice = await world.connected();
  const bob = await world.connected(bobOptions);
  await alice.join(channel);
  await bob.join(channel);
  return { alice, bob };
}

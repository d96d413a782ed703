/**
 * The relay's state for one socket.
 *
 * @module
 */

import type { TimerId } from "../core/clock.ts";
import type { Channel } from "./_channel.ts";
import type { Session } from "./_session.ts";
import type { Identity } from "./identity.ts";
import type { RelaySocket } from "./socket.ts";
import type { TokenBucket } from "./token_bucket.ts";

/**
 * `pending` until welcomed; `closing` once the relay decided to close it
 * (no longer served, close code on its way after the linger); `closed`.
 */
export type ConnectionState = "pending" | "open" | "closing" | "closed";

/** The relay's state for one socket; only the relay touches it. */
export class Connection {
  readonly socket: RelaySocket;
  identity: Identity;
  readonly request: Request | undefined;
  /** Provisional until welcomed, then the session id. */
  id: string;
  state: ConnectionState = "pending";
  session: Session | undefined;
  profile: unknown = null;
  readonly channels: Map<string, Channel> = new Map();
  readonly bucket: TokenBucket | undefined;
  lastSeen: number;
  /** Times of the latest bad frames, oldest first. */
  readonly badTimes: number[] = [];
  /** Whether a frame waits on an async hook; later frames queue meanwhile. */
  busy = false;
  readonly queue: (string | ArrayBuffer | Uint8Array)[] = [];
  /** Since when sends have been dropped for backlog, or -1. */
  backlogSince = -1;
  linger: TimerId | undefined;
  closeCode = 0;
  closeReason = "";

  constructor(
    socket: RelaySocket,
    identity: Identity,
    request: Request | undefined,
    id: string,
    bucket: TokenBucket | undefined,
    now: number,
  ) {
    this.socket = socket;
    this.identity = identity;
    this.request = request;
    this.id = id;
    this.bucket = bucket;
    this.lastSeen = now;
  }
}

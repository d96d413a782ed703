/**
 * One channel's place in its message stream: the epoch and the last offset
 * seen, the live messages held while a recovering join is answered, and
 * the decision for each message that arrives (deliver, drop a duplicate,
 * or repair a gap). Owned by the channel's `ChannelState`, and by the
 * `RelayLink` for the app-wide stream (answered by `welcome.app`). Internal
 * to the client layer.
 *
 * @module
 */

import {
  type JoinAckData,
  type JoinSince,
  type MsgFrame,
  msgFrame,
  type RecoveryFailure,
} from "../protocol/mod.ts";

/** What a channel's recovery needs from the channel state. */
export interface RecoveryHost {
  /** Whether rejoins ask for what was missed (`recover`). */
  readonly recover: boolean;
  /** Hands a message on, in order: to the manager's listeners and the view. */
  deliver(frame: MsgFrame): void;
  /** The missed messages cannot be recovered. */
  resync(reason: RecoveryFailure): void;
  /** Joins again with `since` to fill a gap; `false` when it cannot now. */
  repair(since: JoinSince): boolean;
}

/** See the module doc. */
export class Recovery {
  /** The channel, or `null` for the app-wide stream. */
  #channel: string | null;
  #host: RecoveryHost;
  #epoch: string | undefined;
  #last = 0;
  /** Live messages that arrived while a recovering join was answered. */
  #held: MsgFrame[] | undefined;
  /** Offsets past `#last` of this client's own messages sent without echo. */
  #skipped: Set<number> | undefined;

  constructor(channel: string | null, host: RecoveryHost) {
    this.#channel = channel;
    this.#host = host;
  }

  /**
   * The `since` of a rejoin, when recovery is on and the channel was seen;
   * live messages are then held until the join is answered.
   */
  since(): JoinSince | undefined {
    if (!this.#host.recover || this.#epoch === undefined) return undefined;
    this.#held ??= [];
    return { epoch: this.#epoch, offset: this.#last };
  }

  /** A channel message arrived live. */
  receive(frame: MsgFrame): void {
    const offset = frame.offset;
    // Volatile messages have no offset, and no place in the order.
    if (offset === undefined || this.#epoch === undefined) {
      return this.#host.deliver(frame);
    }
    if (this.#held !== undefined) {
      this.#held.push(frame);
      return;
    }
    if (offset <= this.#last) return; // already delivered
    if (offset > this.#last + 1) this.#advance();
    if (offset > this.#last + 1 && this.#host.recover) {
      this.#held = [frame];
      if (this.#host.repair({ epoch: this.#epoch, offset: this.#last })) {
        return;
      }
      this.#held = undefined;
    }
    this.#last = offset;
    this.#host.deliver(frame);
  }

  /**
   * A join was acknowledged with `data` (or a welcome with its `app`);
   * `asked` when it carried `since`.
   * Delivers what was missed, or reports a resync, then what was held.
   */
  joined(data: unknown, asked: boolean): void {
    const ack = data as Partial<JoinAckData> | undefined;
    if (typeof ack?.epoch !== "string" || typeof ack.offset !== "number") {
      return this.release();
    }
    if (asked && ack.recovered === true && Array.isArray(ack.missed)) {
      for (const m of ack.missed) {
        if (typeof m?.offset !== "number" || m.offset <= this.#last) continue;
        this.#last = m.offset;
        if (this.#skipped?.delete(m.offset)) continue; // sent without echo
        this.#host.deliver(
          msgFrame(this.#channel, m.offset, m.event, m.data, m.sender),
        );
      }
      if (ack.offset > this.#last) this.#last = ack.offset;
    } else {
      if (this.#epoch !== ack.epoch) this.#skipped = undefined;
      this.#epoch = ack.epoch;
      this.#last = ack.offset;
      // Live messages held while the relay answered came after the gap:
      // they are delivered, not dropped with what could not be recovered.
      const first = this.#held?.[0]?.offset;
      if (asked && first !== undefined && first <= ack.offset) {
        this.#last = first - 1;
      }
      for (const offset of this.#skipped ?? []) {
        if (offset <= ack.offset) this.#skipped!.delete(offset);
      }
    }
    this.#advance();
    const held = this.#held;
    this.#held = undefined;
    if (asked && ack.recovered === false) {
      this.#host.resync(ack.reason ?? "history_lost");
    }
    // Held messages at or below the ack's offset are dropped as seen.
    if (held !== undefined) { for (const frame of held) this.receive(frame); }
  }

  /** This client's own message got `offset` and will not come back (no echo). */
  skip(offset: number): void {
    if (this.#epoch === undefined || offset <= this.#last) return;
    (this.#skipped ??= new Set()).add(offset);
    this.#advance();
  }

  /** Moves past the skipped offsets right after the last one seen. */
  #advance(): void {
    const skipped = this.#skipped;
    if (skipped === undefined) return;
    while (skipped.delete(this.#last + 1)) this.#last++;
    if (skipped.size === 0) this.#skipped = undefined;
  }

  /** A repair failed: deliver what was held, gaps and all. */
  release(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held === undefined) return;
    for (const frame of held) {
      if (frame.offset! <= this.#last) continue;
      this.#last = frame.offset!;
      this.#host.deliver(frame);
    }
  }

  /** The connection dropped: what was held comes back through the rejoin. */
  dropped(): void {
    this.#held = undefined;
  }

  /** The channel was left: the next join starts afresh. */
  reset(): void {
    this.#epoch = undefined;
    this.#last = 0;
    this.#held = undefined;
    this.#skipped = undefined;
  }
}

/**
 * What a relay does with the changes another relay process made, as a
 * shared store reports them. Internal.
 *
 * @module
 */

import { RelayCloseCode } from "../protocol/mod.ts";
import type { Channels } from "./_channels.ts";
import type { Context } from "./_context.ts";
import type { Delivery } from "./_delivery.ts";
import type { Sessions } from "./_sessions.ts";
import { APP_CHANNEL, type StoreListener } from "./store.ts";

/** The listener a relay registers with its store. */
export function storeListener(
  context: Context,
  channels: Channels,
  delivery: Delivery,
  sessions: Sessions,
): StoreListener {
  return {
    message(channel, offset, event, data, sender): void {
      if (context.closed) return;
      if (channel === APP_CHANNEL) {
        delivery.deliverEveryone(offset, event, data, sender);
        return;
      }
      delivery.deliver(channel, offset, event, data, sender, undefined);
    },
    presence(channel, action, member, version): void {
      if (context.closed) return;
      channels.presenceHere(channel, action, member, version);
    },
    volatile(channel, event, data, sender): void {
      if (context.closed) return;
      if (channel === APP_CHANNEL) {
        delivery.volatileBroadcastHere(event, data, sender);
      } else delivery.volatileHere(channel, event, data, sender, undefined);
    },
    user(userId, event, data): void {
      if (context.closed) return;
      sessions.toUser(userId, event, data);
    },
    replaced(session): void {
      const conn = sessions.live.get(session);
      if (conn === undefined) return;
      conn.holdsSession = false; // the other process holds it now
      conn.terminate(RelayCloseCode.sessionReplaced, "session replaced", {
        bye: "replaced",
      });
    },
  };
}

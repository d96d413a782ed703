/**
 * The app-wide stream's place for a `welcome`: the epoch and offset of
 * {@linkcode APP_CHANNEL} and, with the `hello`'s `since`, the app-wide
 * messages missed since (or why they cannot be recovered). Internal.
 *
 * @module
 */

import { isThenable } from "../core/_thenable.ts";
import type { AppWideData, JoinSince } from "../protocol/mod.ts";
import {
  APP_CHANNEL,
  type ChannelState,
  type HistoryAnswer,
  type RelayStore,
  type StoreAnswer,
} from "./store.ts";

/** The `welcome.app` for a hello with `since` (or without); sync when the store is. */
export function appWide(
  store: RelayStore,
  since: JoinSince | undefined,
): StoreAnswer<AppWideData> {
  const state = store.channel(APP_CHANNEL);
  if (!isThenable(state)) return recover(store, state, since);
  return Promise.resolve(state).then((state) => recover(store, state, since));
}

function recover(
  store: RelayStore,
  state: ChannelState,
  since: JoinSince | undefined,
): StoreAnswer<AppWideData> {
  if (since === undefined) return { epoch: state.epoch, offset: state.offset };
  const answer = store.history(APP_CHANNEL, since);
  if (!isThenable(answer)) return data(state, answer);
  return Promise.resolve(answer).then((answer) => data(state, answer));
}

function data(state: ChannelState, answer: HistoryAnswer): AppWideData {
  const epoch = state.epoch;
  return answer.recovered
    ? { epoch, offset: answer.offset, recovered: true, missed: answer.missed }
    : { epoch, offset: state.offset, recovered: false, reason: answer.reason };
}

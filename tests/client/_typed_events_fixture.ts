/**
 * What the type parameters of `RealtimeManager` and its channel views must
 * allow and refuse. Never run, only type-checked: every line marked
 * `@ts-expect-error` must be a compile error, and `typed_events_test.ts`
 * checks that each one is (by checking the file again without the marks).
 *
 * @module
 */

import {
  type ChannelMessageOf,
  RealtimeManager,
  WebSocketChannel,
} from "../../mod.ts";

interface Profile {
  name: string;
}

interface ChatEvents {
  chat: { text: string };
  typing: { on: boolean };
}

export function typed(realtime: RealtimeManager<Profile, ChatEvents>): void {
  realtime.on("chat", ({ message }) => message.text.toUpperCase());
  realtime.once("typing", ({ message, event }) => message.on && event);
  void realtime.send("room", "chat", { text: "hi" });
  void realtime.send("room", "typing", { on: true }, { volatile: true });
  void realtime.broadcast("chat", { text: "everyone" });
  realtime.onJoin(({ member }) => member.data.name);
  void realtime.updateProfile({ name: "Bo" });
  void realtime.getMembers("room").then((members) => members[0].data.name);

  // @ts-expect-error a misspelt field
  void realtime.send("room", "chat", { txet: 1 });
  // @ts-expect-error an event the map does not have
  void realtime.send("room", "chta", { text: "hi" });
  // @ts-expect-error another event's data
  void realtime.broadcast("typing", { text: "hi" });
  // @ts-expect-error a field the payload does not have
  realtime.on("chat", ({ message }) => message.txet);
  // @ts-expect-error a listener for an event the map does not have
  realtime.on("chta", () => {});
  // @ts-expect-error a field the profile does not have
  realtime.onJoin(({ member }) => member.data.nmae);
  // @ts-expect-error a profile of the wrong shape
  void realtime.updateProfile({ nmae: "Bo" });

  const channel = realtime.channel("room");
  void channel.send({ text: "hi" }, { type: "chat" });
  channel.messages.subscribe((message) =>
    message.type === "chat" ? message.payload.text : message.payload.on
  );
  // @ts-expect-error the map has no "message" event, so type is required
  void channel.send({ text: "hi" });
  // @ts-expect-error the data of the wrong event
  void channel.send({ on: "yes" }, { type: "typing" });
  // @ts-expect-error narrowed to chat: no `on`
  channel.messages.subscribe((m) => m.type === "chat" && m.payload.on);
}

export function construct(): void {
  new RealtimeManager<Profile, ChatEvents>("ws://127.0.0.1:8787/ws", {
    profile: { name: "Al" },
  });
  new RealtimeManager<Profile, ChatEvents>("ws://127.0.0.1:8787/ws", {
    // @ts-expect-error a profile of the wrong shape
    profile: { nmae: "Al" },
  });
  const single = new WebSocketChannel<ChatEvents>({
    url: "ws://127.0.0.1:8787/ws",
    channelId: "room",
  });
  void single.send({ text: "hi" }, { type: "chat" });
  // @ts-expect-error a misspelt field
  void single.send({ txet: "hi" }, { type: "chat" });
  const seen: ChannelMessageOf<ChatEvents>[] = [];
  single.messages.subscribe((message) => seen.push(message));
}

export function untyped(realtime: RealtimeManager): void {
  realtime.on("anything", ({ message }) => {
    const data: unknown = message;
    return data;
  });
  // @ts-expect-error without an event map a message is unknown
  realtime.on("chat", ({ message }) => message.text);
  // @ts-expect-error without a profile type a profile is unknown
  realtime.onJoin(({ member }) => member.data.name);
  void realtime.send("room", "whatever", { txet: 1 });
  void realtime.broadcast("notice", 42);
  void realtime.updateProfile("any JSON");
  void realtime.channel("room").send(1);
  void realtime.channel("room").send(1, { type: "any" });
}

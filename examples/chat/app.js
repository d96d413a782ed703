/**
 * The chat page's script, bundled for the browser by `deno task chat:bundle`
 * into `examples/chat/build/app.js` (not committed). The example relay
 * serves the page at `/`. Plain JavaScript (with JSDoc types) so that the
 * project's `deno check` does not mix the DOM's types into Deno's.
 *
 * Query parameters: `name` (the profile name; a random guest name by
 * default) and `ws` (the relay's WebSocket URL; `/ws` of this page's host by
 * default).
 *
 * @module
 */

import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import { ExponentialBackoff } from "../../src/core/backoff.ts";

const CHANNELS = ["lobby", "random"];

const params = new URLSearchParams(location.search);
const name = params.get("name") ?? `guest-${Math.floor(Math.random() * 1000)}`;
const scheme = location.protocol === "https:" ? "wss:" : "ws:";
const url = params.get("ws") ?? `${scheme}//${location.host}/ws`;

/**
 * The default backoff, remembering the delay it gave last for the badge. A
 * relay's `bye` may carry a retry hint that lengthens the wait past it.
 */
class ShownBackoff {
  last = 0;
  #inner = new ExponentialBackoff({ initial: 500, maximum: 10_000 });
  next() {
    return this.last = this.#inner.next();
  }
  reset() {
    this.#inner.reset();
  }
}

const backoff = new ShownBackoff();
const manager = new RealtimeManager(url, {
  profile: { name },
  echoMessages: false,
  backoff,
});

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const badge = byId("badge");
const channelList = byId("channels");
const views = byId("views");
const memberList = byId("members");
const composer = byId("composer");
const input = /** @type {HTMLInputElement} */ (byId("text"));
byId("me").textContent = name;

// ---------------------------------------------------------------- badge

let attempt = 0;
/** @param {string} state @param {string} text */
function showState(state, text) {
  badge.dataset.state = state;
  badge.textContent = text;
}
function showRetry() {
  if (!navigator.onLine) {
    showState("offline", `offline · attempt ${attempt} waits for the network`);
  } else {
    const seconds = (backoff.last / 1000).toFixed(1);
    showState(
      "reconnecting",
      `reconnecting · attempt ${attempt} in ${seconds} s`,
    );
  }
}
manager.onConnect(() => {
  attempt = 0;
  showState("connected", "connected");
  for (const channel of CHANNELS) void refreshMembers(channel);
});
manager.onDisconnect((reason) =>
  showState("reconnecting", `disconnected: ${reason}`)
);
manager.onReconnectAttempt((n) => {
  attempt = n;
  showRetry();
});
addEventListener("offline", () => showRetry());
addEventListener("online", () => {
  if (badge.dataset.state === "offline") showRetry();
});

// ------------------------------------------------------------- channels

let current = CHANNELS[0];
/** @type {Map<string, HTMLUListElement>} */
const lists = new Map();
/** @type {Map<string, HTMLButtonElement>} */
const buttons = new Map();
/** @type {Map<string, Map<string, string>>} channel → member id → name */
const members = new Map();

for (const channel of CHANNELS) {
  const button = document.createElement("button");
  button.textContent = `# ${channel}`;
  button.dataset.channel = channel;
  button.addEventListener("click", () => select(channel));
  channelList.append(button);
  buttons.set(channel, button);
  const list = document.createElement("ul");
  list.className = "messages";
  list.dataset.channel = channel;
  views.append(list);
  lists.set(channel, list);
  members.set(channel, new Map());
  manager.join(channel).catch((error) => console.error("join", error));
}
select(current);

/** @param {string} channel */
function select(channel) {
  current = channel;
  for (const [name, button] of buttons) {
    button.setAttribute("aria-current", String(name === channel));
  }
  for (const [name, list] of lists) list.hidden = name !== channel;
  renderMembers();
}

// -------------------------------------------------------------- members

/** @param {unknown} data */
function profileName(data) {
  const value = /** @type {{ name?: unknown } | null} */ (data)?.name;
  return typeof value === "string" ? value : "anonymous";
}

/** @param {string} channel */
async function refreshMembers(channel) {
  try {
    const list = await manager.getMembers(channel);
    members.set(
      channel,
      new Map(list.map((m) => [m.id, profileName(m.data)])),
    );
    if (channel === current) renderMembers();
  } catch (error) {
    console.error("members", error);
  }
}

function renderMembers() {
  const names = [...(members.get(current)?.values() ?? [])].sort();
  memberList.replaceChildren(...names.map((member) => {
    const item = document.createElement("li");
    item.textContent = member;
    return item;
  }));
}

manager.onJoin(({ channel, member }) => {
  members.get(channel)?.set(member.id, profileName(member.data));
  if (channel === current) renderMembers();
});
manager.onUpdate(({ channel, member }) => {
  members.get(channel)?.set(member.id, profileName(member.data));
  if (channel === current) renderMembers();
});
manager.onLeave(({ channel, member }) => {
  members.get(channel)?.delete(member.id);
  if (channel === current) renderMembers();
});

// ------------------------------------------------------------- messages

/** @param {string} channel @param {string} from @param {string} text */
function addMessage(channel, from, text) {
  const item = document.createElement("li");
  const who = document.createElement("b");
  who.textContent = from;
  item.append(who, `: ${text}`);
  lists.get(channel)?.append(item);
  views.scrollTop = views.scrollHeight;
  return item;
}

manager.on("chat", ({ channel, message, senderId }) => {
  if (channel === null || !lists.has(channel)) return;
  const { text, from } = /** @type {{ text?: unknown, from?: unknown }} */ (
    message ?? {}
  );
  if (typeof text !== "string") return;
  const known = senderId === null
    ? "server"
    : members.get(channel)?.get(senderId);
  addMessage(
    channel,
    typeof from === "string" ? from : known ?? "someone",
    text,
  );
});

// Each message shows as pending from the moment it is typed until the relay
// acknowledges it: while offline it waits in the client's queue.
composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  input.value = "";
  if (text === "") return;
  const channel = current;
  const item = addMessage(channel, name, text);
  item.classList.add("pending");
  const status = document.createElement("span");
  status.className = "status";
  status.textContent = "pending";
  item.append(status);
  manager.send(channel, "chat", { text, from: name }).then(
    () => {
      item.classList.remove("pending");
      status.remove();
    },
    (error) => {
      item.classList.replace("pending", "failed");
      status.textContent = `failed: ${error.message}`;
    },
  );
});

/**
 * Echo demo: starts a local echo server and a ReconnectingWebSocket client,
 * restarts the server once on the same port, and shows the messages sent
 * during the outage arriving after the reconnect, in order.
 *
 * Run: `npx -y deno@2 task demo:echo` (or `npx -y deno@2 run -A examples/echo.ts`).
 *
 * @module
 */
import {
  type ConnectionState,
  ExponentialBackoff,
  ReconnectingWebSocket,
} from "../mod.ts";

/** Every wait in the demo gives up after this long. */
const LIMIT = 5_000;

function startEchoServer(port = 0): {
  port: number;
  stop(): Promise<void>;
} {
  const sockets = new Set<WebSocket>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen() {} },
    (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      sockets.add(socket);
      socket.onclose = () => sockets.delete(socket);
      socket.onmessage = (event) =>
        socket.send(event.data === "ping" ? "pong" : event.data);
      return response;
    },
  );
  return {
    port: server.addr.port,
    async stop() {
      await Promise.all([...sockets].map((socket) =>
        new Promise((resolve) => {
          socket.addEventListener("close", resolve, { once: true });
          socket.close(1012, "restarting");
        })
      ));
      await server.shutdown();
    },
  };
}

function describe(state: ConnectionState): string {
  switch (state.type) {
    case "reconnecting":
      return `reconnecting (retry ${state.attempt} in ${
        Math.round(state.delay)
      } ms)`;
    case "disconnected":
      return `disconnected (code ${state.code})`;
    default:
      return state.type;
  }
}

let server = startEchoServer();
const { port } = server;
console.log(`echo server listening on ws://127.0.0.1:${port}`);

const client = new ReconnectingWebSocket(`ws://127.0.0.1:${port}`, {
  backoff: new ExponentialBackoff({ initial: 100, maximum: 1_000 }),
});
client.connection.subscribe((state) =>
  console.log(`  state: ${describe(state)}`)
);
const echoes: string[] = [];
let onEcho = () => {};
client.messages.subscribe((data) => {
  console.log(`  echo:  ${data}`);
  echoes.push(String(data));
  onEcho();
});

/** Resolves once `count` echoes have arrived in total. */
function echoesArrived(count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no echo")), LIMIT);
    onEcho = () => {
      if (echoes.length < count) return;
      clearTimeout(timer);
      resolve();
    };
    onEcho();
  });
}

try {
  await client.ready({ timeout: LIMIT });
  console.log(`send "hello": ${client.send("hello")}`);
  await echoesArrived(1);

  console.log("restarting the server...");
  await server.stop();
  await client.connection.until((s) => s.type === "reconnecting", {
    timeout: LIMIT,
  });
  const outage = ["one", "two", "three"];
  for (const message of outage) {
    console.log(`send "${message}": ${client.send(message)}`);
  }
  server = startEchoServer(port);
  console.log("server is back");
  await client.ready({ timeout: LIMIT });
  await echoesArrived(1 + outage.length);
  const inOrder = echoes.slice(1).join() === outage.join();
  console.log(
    inOrder
      ? `all ${outage.length} buffered messages came through, in order`
      : `unexpected echoes: ${echoes.join(", ")}`,
  );
  if (!inOrder) Deno.exitCode = 1;
} catch (error) {
  console.error("demo failed:", error);
  Deno.exitCode = 1;
} finally {
  await client.close();
  await server.stop();
}

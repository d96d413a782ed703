/**
 * The wire layer under Bun, run by `bun_test.ts` as `bun
 * tests/wire/_bun_wire.ts ACCEPT_URL`, where `ACCEPT_URL` is an echo server
 * made with `accept` in the Deno test. It prints one JSON line, a
 * {@linkcode BunWireReport}, and exits; the Deno test asserts.
 *
 * @module
 */

import process from "node:process";
import { ReconnectingWebSocket } from "../../mod.ts";
import { connect } from "../../src/wire/connect.ts";
import { TcpWebSocket } from "../../src/wire/tcp_web_socket.ts";
import { exact, messages } from "./_messages.ts";

/** What the script saw. */
export interface BunWireReport {
  runtime: string;
  error?: string;
  /** Each upgrade's `x-team` header, as Bun.serve saw it. */
  teams: (string | null)[];
  /** What ReconnectingWebSocket heard back, across one reconnect. */
  echoes: unknown[];
  /** This client against Bun.serve: what each side received. */
  bunServerGot: [string, string][];
  clientGot: [string, string][];
  /** Bun's WebSocket client against the Deno `accept` server. */
  bunClientGot: [string, string][];
  /** What was sent, in the same form. */
  sent: [string, string][];
}

// deno-lint-ignore no-explicit-any
declare const Bun: any;

const report: BunWireReport = {
  runtime: navigator.userAgent,
  teams: [],
  echoes: [],
  bunServerGot: [],
  clientGot: [],
  bunClientGot: [],
  sent: await Promise.all(messages().map(exact)),
};
const timer = setTimeout(() => finish("timed out"), 30_000);

function finish(error?: string): void {
  clearTimeout(timer);
  if (error !== undefined) report.error = error;
  console.log(JSON.stringify(report));
  // Only a failure exits at once; otherwise the process ends on its own,
  // which process.exit() could do before the long line left the pipe.
  if (error !== undefined) process.exit(1);
}

try {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request: Request, srv: { upgrade(r: Request): boolean }) {
      report.teams.push(request.headers.get("x-team"));
      if (srv.upgrade(request)) return undefined;
      return new Response("upgrade", { status: 426 });
    },
    websocket: {
      open() {},
      message(
        ws: { send(d: unknown): void; close(code: number): void },
        data: unknown,
      ) {
        if (data === "kick") return ws.close(1012);
        if (typeof data === "string" && data.startsWith("rws:")) {
          return ws.send(`echo ${data}`);
        }
        report.bunServerGot.push(["pending", ""]);
        const at = report.bunServerGot.length - 1;
        void exact(data as string | Uint8Array).then((e) =>
          report.bunServerGot[at] = e
        );
        ws.send(data);
      },
    },
  });
  const url = `ws://127.0.0.1:${server.port}/`;

  // ReconnectingWebSocket over TcpWebSocket, with a header, across a reconnect.
  const rws = new ReconnectingWebSocket(url, {
    WebSocket: TcpWebSocket,
    headers: { "x-team": "bun" },
    keepalive: false,
    backoff: { next: () => 10, reset() {} },
  });
  const heard: unknown[] = [];
  const nextMessage = () =>
    new Promise<void>((resolve) => {
      const stop = rws.messages.subscribe((data) => {
        stop();
        heard.push(data);
        resolve();
      });
    });
  await rws.ready({ timeout: 5000 });
  rws.send("rws:one");
  await nextMessage();
  const reconnecting = rws.connection.until((s) => s.type === "reconnecting");
  rws.send("kick");
  await reconnecting;
  await rws.ready({ timeout: 5000 });
  rws.send("rws:two");
  await nextMessage();
  report.echoes = heard;
  await rws.close();

  // This client against Bun.serve, byte for byte.
  const ws = await connect(url);
  const reader = ws.readable.getReader();
  for (const message of messages()) {
    ws.send(message);
    report.clientGot.push(await exact((await reader.read()).value!));
  }
  ws.close(1000);
  await ws.closed;
  server.stop(true);

  // Bun's own client against the Deno accept server.
  const native = new WebSocket(process.argv[2]);
  native.binaryType = "arraybuffer";
  const inbox: unknown[] = [];
  let wake: (() => void) | undefined;
  native.onmessage = (e) => {
    inbox.push(e.data);
    wake?.();
  };
  await new Promise((resolve, reject) => {
    native.onopen = resolve;
    native.onerror = reject;
  });
  for (const message of messages()) {
    native.send(message);
    while (inbox.length === 0) await new Promise<void>((r) => wake = r);
    report.bunClientGot.push(await exact(inbox.shift() as ArrayBuffer));
  }
  const closed = new Promise((resolve) => native.onclose = resolve);
  native.close(1000);
  await closed;
  finish();
} catch (error) {
  finish(String((error as Error)?.stack ?? error));
}

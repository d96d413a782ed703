/**
 * The README's word is checked against a running example relay: each block
 * marked `ts ignore` (an illustration that needs a server) runs against it
 * (the ones that need a Redis or a server of their own are type-checked),
 * with the URL and the package imports swapped for the relay's and this
 * checkout's, and each message in _Troubleshooting_ is the one a user making
 * that mistake gets, word for word. The README's Deno relay server runs on a
 * free loopback port and serves a client; both servers it shows are also
 * type-checked files in `examples/minimal_relay/`, held equal to the README
 * by `tests/relay/adapters/readme_test.ts` (the Bun one is not run here).
 */
import assert from "node:assert/strict";
import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import { RealtimeError } from "../../src/client/realtime_error.ts";
import { ROOT, spawnExampleRelay } from "../../tools/servers.ts";

const README = await Deno.readTextFile(new URL("README.md", ROOT));
const EXPORTS: Record<string, string> = JSON.parse(
  await Deno.readTextFile(new URL("deno.json", ROOT)),
).exports;

/** The blocks of `lang` (`ts ignore`, `text`) in `text`, in order. */
function blocks(text: string, lang: string): string[] {
  const fence = new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g");
  return [...text.matchAll(fence)].map((m) => m[1]);
}

/** A README block made runnable here: this checkout's modules, `url`. */
function localize(code: string, url: string): string {
  return code
    .replace(/"(?:jsr:)?@lifeline\/realtime(\/[\w/]+)?"/g, (_, sub = "") => {
      const path = EXPORTS[`.${sub}`];
      assert.ok(path, `no export @lifeline/realtime${sub}`);
      return JSON.stringify(new URL(path, ROOT).href);
    })
    .replace(/wss?:\/\/(?:example\.com\/live|127\.0\.0\.1:8787\/ws)/g, url);
}

async function run(
  code: string,
  command: "run" | "check" = "run",
): Promise<{ ok: boolean; out: string }> {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/block.ts`;
  await Deno.writeTextFile(file, code);
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        command,
        ...(command === "run" ? ["-A"] : []),
        `--config=${new URL("deno.json", ROOT).pathname}`,
        file,
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const { code: exit, stdout, stderr } = await child.output();
    clearTimeout(timer);
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { ok: exit === 0, out: decode(stdout) + decode(stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("every README block marked ts ignore runs against the example relay", async () => {
  const illustrations = blocks(README, "ts ignore");
  const servers = illustrations.filter((code) =>
    /\b(Deno|Bun)\.serve\(/.test(code)
  );
  // A relay on Redis (Deployment) and the wire layer's uses, which need
  // servers of their own, are type-checked here; the same calls run in
  // tests/relay/redis, tests/e2e/redis_nodes_test.ts and tests/wire.
  const checked = illustrations.filter((code) =>
    code.includes('from "redis"') ||
    code.includes('from "@lifeline/realtime/wire"')
  );
  const clients = illustrations.filter((code) =>
    !servers.includes(code) && !checked.includes(code)
  );
  assert.equal(servers.length, 2, "the Deno and the Bun relay servers");
  assert.equal(checked.length, 5, "the relay on Redis, four uses of the wire");
  for (const code of checked) {
    const { ok, out } = await run(localize(code, ""), "check");
    assert.ok(ok, `this README block does not type-check:\n${code}\n${out}`);
  }
  assert.ok(clients.length >= 2, `only ${clients.length} client blocks`);
  const server = await spawnExampleRelay("deno", { LIFELINE_LOG: "off" });
  try {
    for (const code of clients) {
      const { ok, out } = await run(localize(code, server.url));
      assert.ok(ok, `this README block failed:\n${code}\n${out}`);
    }
  } finally {
    await server.stop();
  }
});

Deno.test("the README's Deno relay server serves a client, refuses a wrong token and stops on SIGTERM", async () => {
  const [code] = blocks(README, "ts ignore").filter((c) =>
    c.includes("Deno.serve(")
  );
  assert.ok(code.includes("{ port: 8787 }"));
  const dir = await Deno.makeTempDir();
  const file = `${dir}/server.ts`;
  // Loopback and a free port; nothing else changes.
  await Deno.writeTextFile(
    file,
    localize(code, "").replace(
      "{ port: 8787 }",
      '{ port: 0, hostname: "127.0.0.1" }',
    ),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--config=${new URL("deno.json", ROOT).pathname}`,
      file,
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const managers: RealtimeManager[] = [];
  // Deno.serve announces itself on stderr: `Listening on http://IP:PORT/`.
  const reader = child.stderr.pipeThrough(new TextDecoderStream())
    .getReader();
  try {
    let text = "";
    let match: RegExpExecArray | null = null;
    while (!(match = /Listening on http:\/\/([\d.]+:\d+)\//.exec(text))) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    assert.ok(match, `the server printed no address: ${text}`);
    const url = `ws://${match[1]}/ws`;
    const alice = new RealtimeManager(url, { token: "let-me-in" });
    const mallory = new RealtimeManager(url, { token: "not-me" });
    managers.push(alice, mallory);
    await alice.join("room");
    await alice.send("room", "chat", "hi");
    await assert.rejects(mallory.join("room"), { code: "closed" });
    await Promise.all(managers.map((m) => m.close()));
    child.kill("SIGTERM");
    const { code: exit } = await child.status;
    assert.equal(exit, 0);
  } finally {
    await Promise.all(managers.map((m) => m.close()));
    clearTimeout(killer);
    try {
      child.kill("SIGKILL");
    } catch {
      // Exited already.
    }
    await reader.cancel();
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

/** The messages of _Troubleshooting_, in the order the README gives them. */
function troubleshooting(): string[] {
  const start = README.indexOf("## Troubleshooting");
  const end = README.indexOf("\n## ", start + 1);
  assert.ok(start >= 0 && end > start, "README has no Troubleshooting section");
  return blocks(README.slice(start, end), "text").map((m) => m.trim());
}

/** The message `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail("it did not reject");
}

Deno.test("the Troubleshooting messages are what a user making each mistake sees", async () => {
  const [noScheme, wrongPath, unauthorized, rateLimited, noWebSocket] =
    troubleshooting();
  assert.throws(() => new RealtimeManager("127.0.0.1:8787/ws"), {
    name: "TypeError",
    message: noScheme,
  });

  const open = await spawnExampleRelay("deno", { LIFELINE_LOG: "off" });
  const guarded = await spawnExampleRelay("deno", {
    LIFELINE_TOKENS: "right-token",
    LIFELINE_LOG: "off",
  });
  const managers: RealtimeManager[] = [];
  const manager = (url: string, token?: string) => {
    const m = new RealtimeManager(url, token === undefined ? {} : { token });
    managers.push(m);
    return m;
  };
  try {
    const origin = open.httpUrl.replace(/^http/, "ws");
    assert.equal(await rejection(manager(origin).join("room")), wrongPath);
    assert.equal(
      await rejection(manager(guarded.url, "wrong-token").join("room")),
      unauthorized,
    );
    assert.equal(
      await rejection(manager(guarded.url).join("room")),
      unauthorized,
    );

    const busy = manager(open.url);
    await busy.join("room");
    const sends = Array.from(
      { length: 300 },
      (_, i) =>
        busy.send("room", "tick", i).then(() => undefined, (error) => error),
    );
    const refused = (await Promise.all(sends)).find((e) => e !== undefined);
    assert.ok(refused instanceof RealtimeError, String(refused));
    assert.equal(refused.code, "rate_limited");
    assert.equal(refused.message, rateLimited);
  } finally {
    await Promise.all(managers.map((m) => m.close()));
    await open.stop();
    await guarded.stop();
  }

  const global = globalThis as { WebSocket?: unknown };
  const original = global.WebSocket;
  delete global.WebSocket;
  try {
    assert.throws(() => new RealtimeManager("ws://127.0.0.1:8787/ws"), {
      name: "TypeError",
      message: noWebSocket,
    });
  } finally {
    global.WebSocket = original;
  }
});

/**
 * The example relay's first line gives the WebSocket URL in full: the bare
 * origin it also prints is answered with 404, which stops a client for good.
 */

import assert from "node:assert/strict";
import { ROOT } from "../../tools/servers.ts";

Deno.test("the example relay prints its WebSocket URL with /ws", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "examples/relay/deno.ts"],
    cwd: ROOT,
    env: { PORT: "0", NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const line = text.split("\n")[0];
    assert.match(
      line,
      /^listening on http:\/\/127\.0\.0\.1:(\d+) \(WebSocket: ws:\/\/127\.0\.0\.1:\1\/ws\)$/,
    );
    child.kill("SIGTERM");
    await reader.cancel();
  } finally {
    const status = await child.status;
    clearTimeout(timer);
    assert.equal(status.code, 0);
  }
});

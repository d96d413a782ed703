import assert from "node:assert/strict";
import { halt } from "../../tools/halt.ts";

/** Runs `script`, once it has printed `ready` (its traps set). */
async function spawn(script: string): Promise<Deno.ChildProcess> {
  const child = new Deno.Command("sh", {
    args: ["-c", script],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`exited before it was ready: ${text}`);
    text += value;
  }
  // The rest (nothing) is read until the process exits.
  (async () => {
    while (!(await reader.read()).done);
  })();
  return child;
}

Deno.test("halt stops a process with SIGTERM, by its pid", async () => {
  const child = await spawn("echo ready; exec sleep 30");
  const halted = await halt(child, 30_000);
  assert.equal(halted.killed, false);
  assert.equal((await child.status).signal, "SIGTERM");
});

Deno.test("halt kills a process that ignores SIGTERM once the grace is over", async () => {
  // An ignored signal stays ignored across exec: sleep itself ignores it.
  const child = await spawn('trap "" TERM; echo ready; exec sleep 30');
  const halted = await halt(child, 100);
  assert.equal(halted.killed, true);
  assert.equal((await child.status).signal, "SIGKILL");
});

Deno.test("halt waits for `after` too, before it answers", async () => {
  const child = await spawn("echo ready; exec sleep 30");
  const order: string[] = [];
  const after = child.status.then(() => order.push("drained"));
  await halt(child, 30_000, after);
  order.push("halted");
  assert.deepEqual(order, ["drained", "halted"]);
});

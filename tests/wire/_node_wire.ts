/**
 * `connect` under Node, bundled and run by `node_test.ts` as `node
 * _node_wire.mjs URL`: it connects with a custom header (through `node:net`,
 * found by `process.getBuiltinModule`), sends each test message and reads
 * its echo, closes, and prints one JSON line, a {@linkcode NodeWireReport}.
 *
 * @module
 */

import process from "node:process";
import { connect } from "../../src/wire/connect.ts";
import { exact, messages } from "./_messages.ts";

/** What the script saw. */
export interface NodeWireReport {
  runtime: string;
  error?: string;
  greeting?: unknown;
  got: [string, string][];
  sent: [string, string][];
  closed?: unknown;
}

const report: NodeWireReport = {
  runtime: `node ${process.version}`,
  got: [],
  sent: await Promise.all(messages().map(exact)),
};
try {
  const ws = await connect(process.argv[2], {
    headers: { "x-runtime": "node" },
    signal: AbortSignal.timeout(20_000),
  });
  const reader = ws.readable.getReader();
  report.greeting = (await reader.read()).value;
  for (const message of messages()) {
    ws.send(message);
    report.got.push(await exact((await reader.read()).value!));
  }
  ws.close(1000);
  report.closed = await ws.closed;
} catch (error) {
  report.error = String((error as Error)?.stack ?? error);
}
console.log(JSON.stringify(report));
// Not process.exit(): it may cut a long line still in the pipe.
process.exitCode = report.error === undefined ? 0 : 1;

/**
 * What the workerd test's worker runs, bundled by `workerd_test.ts`: connect
 * through the `Dialer` it is given (workerd's `connect` from
 * `cloudflare:sockets`, which the worker's own two lines import), read the
 * greeting, send one message, read its echo, close. Answers the lot as JSON.
 *
 * @module
 */

import { connect } from "../../src/wire/connect.ts";
import type { Dialer } from "../../src/wire/dialer.ts";

/** The worker's `fetch`, with workerd's `connect` passed in. */
export async function handle(
  request: Request,
  dial: Dialer,
): Promise<Response> {
  try {
    const target = new URL(request.url).searchParams.get("ws") ?? "";
    const ws = await connect(target, {
      dial,
      headers: { "x-runtime": "workerd" },
      signal: AbortSignal.timeout(10_000),
    });
    const reader = ws.readable.getReader();
    const greeting = (await reader.read()).value;
    ws.send("ping from the worker");
    const echo = (await reader.read()).value;
    ws.close(1000);
    const closed = await ws.closed;
    return Response.json({ greeting, echo, closed });
  } catch (error) {
    return Response.json({ error: String((error as Error)?.stack ?? error) });
  }
}

/**
 * The conformance suite against the example Hono relay on `Deno.serve` in
 * this process. A restart closes the relay and the server and starts fresh
 * ones on the same port.
 *
 * @module
 */

import { readConfig } from "../../examples/relay/config.ts";
import { conformance, restartOnSamePort } from "./conformance.ts";
import { startInProcessRelay } from "./_servers.ts";

conformance(
  "in-process",
  restartOnSamePort((env) =>
    startInProcessRelay(readConfig({ PORT: "0", ...env }))
  ),
);

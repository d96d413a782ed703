/**
 * The conformance suite against `examples/relay/deno.ts`, spawned as its own
 * Deno process. A restart ends the process and spawns a new one on the same
 * port.
 *
 * @module
 */

import { conformance, restartOnSamePort } from "./conformance.ts";
import { spawnDenoRelay } from "./_servers.ts";

conformance("deno", restartOnSamePort(spawnDenoRelay));

/**
 * The conformance suite against `examples/relay/bun.ts`, spawned as a Bun
 * process. A restart ends the process and spawns a new one on the same port.
 *
 * @module
 */

import { conformance, restartOnSamePort } from "./conformance.ts";
import { spawnBunRelay } from "./_servers.ts";

conformance("bun", restartOnSamePort(spawnBunRelay));

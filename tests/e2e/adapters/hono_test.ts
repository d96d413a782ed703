/**
 * The conformance suite against the Hono adapter (`relay/hono`, over
 * `hono/deno`'s `upgradeWebSocket`): `examples/relay/hono.ts`, spawned as a
 * Deno process. A restart ends the process and spawns a new one on
 * the same port.
 *
 * @module
 */

import { spawnExampleRelay } from "../../../tools/servers.ts";
import { conformance, restartOnSamePort } from "../conformance.ts";

conformance("hono", restartOnSamePort((env) => spawnExampleRelay("hono", env)));

/**
 * The conformance suite against the Deno adapter (`relay/deno`): the example
 * relay server `examples/relay/deno.ts`, spawned as a Deno process. A restart ends the process and spawns a new one on
 * the same port.
 *
 * @module
 */

import { spawnExampleRelay } from "../../../tools/servers.ts";
import { conformance, restartOnSamePort } from "../conformance.ts";

conformance("deno", restartOnSamePort((env) => spawnExampleRelay("deno", env)));

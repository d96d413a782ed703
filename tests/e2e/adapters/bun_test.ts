/**
 * The conformance suite against the Bun adapter (`relay/bun`, native topic
 * fan-out): the example relay server `examples/relay/bun.ts`, spawned as a Bun
 * process. A restart ends the process and spawns a new one on
 * the same port.
 *
 * @module
 */

import { spawnExampleRelay } from "../../../tools/servers.ts";
import { conformance, restartOnSamePort } from "../conformance.ts";

conformance("bun", restartOnSamePort((env) => spawnExampleRelay("bun", env)));

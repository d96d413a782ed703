/**
 * The conformance suite against the Node adapter (`relay/node`: `node:http`
 * and the `ws` package): `examples/relay/node.ts`, spawned as a Deno process
 * running it through Deno's Node compatibility. A restart ends the process and spawns a new one on
 * the same port.
 *
 * @module
 */

import { spawnExampleRelay } from "../../../tools/servers.ts";
import { conformance, restartOnSamePort } from "../conformance.ts";

conformance("node", restartOnSamePort((env) => spawnExampleRelay("node", env)));

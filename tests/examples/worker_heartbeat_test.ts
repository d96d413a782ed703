import assert from "node:assert/strict";
import { heartbeatFrom } from "../../examples/worker/heartbeat.ts";

Deno.test("the Worker reads its heartbeat from LIFELINE_HEARTBEAT_INTERVAL and _TIMEOUT", () => {
  assert.deepEqual(heartbeatFrom({}), {});
  assert.deepEqual(
    heartbeatFrom({
      LIFELINE_HEARTBEAT_INTERVAL: " 500 ",
      LIFELINE_HEARTBEAT_TIMEOUT: "250",
    }),
    { interval: 500, timeout: 250 },
  );
  assert.throws(
    () => heartbeatFrom({ LIFELINE_HEARTBEAT_INTERVAL: "soon" }),
    /LIFELINE_HEARTBEAT_INTERVAL as it must be a non-negative number/,
  );
});

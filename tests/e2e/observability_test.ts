/**
 * The example relay server as an operator sees it: `GET /metrics` in the
 * Prometheus text format (parsed by a real parser, parse-prometheus-text-format
 * from npm, not a regex), guarded by the admin token when tokens are set, and
 * JSON log lines for what happened, with no token and no message body.
 */
import assert from "node:assert/strict";
import parsePrometheus from "parse-prometheus-text-format";
import { RealtimeManager } from "../../src/client/realtime_manager.ts";
import { spawnServer } from "../../tools/servers.ts";

const CLIENT_TOKEN = "alice-c1ient-t0ken";
const ADMIN_TOKEN = "adm1n-s3cret";
const WRONG_TOKEN = "wr0ng-t0ken";
const BODY = "a message body nobody logs";

interface Family {
  name: string;
  type: string;
  metrics: {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
  }[];
}

/** A sample's value: the family's only one, or the one with `labels`. */
function sample(
  families: Family[],
  name: string,
  labels?: Record<string, string>,
): number {
  const family = families.find((f) => f.name === name);
  assert.ok(family, `no ${name} in the scrape`);
  const metric = family.metrics.find((m) =>
    labels === undefined ||
    Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)
  );
  assert.ok(metric, `no ${name} ${JSON.stringify(labels)} in the scrape`);
  return Number(metric.value ?? metric.count);
}

Deno.test("GET /metrics parses as Prometheus text, wants the admin token, and the log tells what happened", async () => {
  const lines: string[] = [];
  const server = await spawnServer({
    name: "deno",
    command: Deno.execPath(),
    args: ["run", "-A", "examples/relay/deno.ts"],
    env: {
      LIFELINE_TOKENS: `${CLIENT_TOKEN}:alice`,
      LIFELINE_ADMIN_TOKEN: ADMIN_TOKEN,
      LIFELINE_LOG: "debug",
      LIFELINE_LOG_FORMAT: "json",
    },
    onLine: (line) => lines.push(line),
  });
  const alice = new RealtimeManager(server.url, { token: CLIENT_TOKEN });
  try {
    await alice.join("room");
    await alice.send("room", "chat", { text: BODY });
    // A wrong token is refused at the upgrade: 401, and a log line.
    const refused = new RealtimeManager(server.url, {
      token: WRONG_TOKEN,
      maxRetries: 0,
    });
    await assert.rejects(refused.join("room"), { code: "closed" });
    await refused.close();

    const anonymous = await fetch(`${server.httpUrl}/metrics`);
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
    const response = await fetch(`${server.httpUrl}/metrics`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type")!, /^text\/plain/);
    const families: Family[] = parsePrometheus(await response.text());

    assert.equal(sample(families, "lifeline_connections"), 1);
    assert.equal(sample(families, "lifeline_sessions"), 1);
    assert.equal(sample(families, "lifeline_channels"), 1);
    assert.equal(sample(families, "lifeline_members"), 1);
    const received = "lifeline_frames_received_total";
    assert.equal(sample(families, received, { type: "hello" }), 1);
    assert.equal(sample(families, received, { type: "join" }), 1);
    assert.equal(sample(families, received, { type: "pub" }), 1);
    const sent = "lifeline_frames_sent_total";
    assert.equal(sample(families, sent, { type: "welcome" }), 1);
    assert.equal(sample(families, sent, { type: "msg" }), 1); // the echo
    assert.equal(sample(families, "lifeline_deliveries_total"), 1);
    for (
      const name of [
        "lifeline_drops_total",
        "lifeline_rate_limited_total",
        "lifeline_bad_frames_total",
        "lifeline_resumes_total",
      ]
    ) assert.equal(sample(families, name), 0, name);
    const latency = families.find((f) =>
      f.name === "lifeline_publish_delivery_seconds"
    );
    assert.equal(latency?.type, "HISTOGRAM");
    assert.equal(Number(latency.metrics[0].count), 1);
    assert.equal(Number(latency.metrics[0].buckets?.["+Inf"]), 1);
    assert.ok(families.some((f) => f.name === "lifeline_errors_total"));
  } finally {
    await alice.close();
    await server.stop();
  }

  const entries = lines.filter((line) => line.startsWith("{")).map((line) =>
    JSON.parse(line)
  );
  const events = entries.map((entry) => entry.event);
  for (const event of ["start", "auth_failed", "stopping", "shutdown"]) {
    assert.ok(events.includes(event), `no ${event} in ${events}`);
  }
  const start = entries.find((entry) => entry.event === "start");
  assert.equal(start.url, server.url);
  assert.match(start.time, /^\d{4}-\d\d-\d\dT/);
  const all = lines.join("\n");
  for (const secret of [CLIENT_TOKEN, ADMIN_TOKEN, WRONG_TOKEN, BODY]) {
    assert.ok(!all.includes(secret), `the log holds ${secret}`);
  }
});

/**
 * The relay's numbers in the Prometheus text exposition format (version
 * 0.0.4), for a `GET /metrics` route: {@linkcode prometheusMetrics} turns
 * `relay.stats()` into the text, and the publish-to-delivery latency is kept
 * in a fixed-bucket histogram, {@linkcode LATENCY_BUCKETS}.
 *
 * @module
 */

import type { LatencyHistogram, RelayStats } from "./stats.ts";

/**
 * The upper bounds, in milliseconds, of the publish-to-delivery latency
 * histogram's buckets (a last one, `+Inf`, holds the rest). The latency of a
 * publish is from the moment the relay took its frame to the moment it handed
 * the message to the members here: authorization, the store and the fan-out.
 *
 * @example The bounds
 * ```ts
 * import { LATENCY_BUCKETS } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * assert.equal(LATENCY_BUCKETS[0], 1);
 * assert.ok(LATENCY_BUCKETS.every((b, i) => i === 0 || b > LATENCY_BUCKETS[i - 1]));
 * ```
 */
export const LATENCY_BUCKETS: readonly number[] = [
  1,
  2,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
];

/** A fixed-bucket histogram; `observe` allocates nothing. Internal. */
export class Histogram {
  #buckets: readonly number[];
  #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(buckets: readonly number[]) {
    this.#buckets = buckets;
    this.#counts = new Array(buckets.length + 1).fill(0);
  }

  /** Counts one observation of `value` ms. */
  observe(value: number): void {
    const buckets = this.#buckets;
    let i = 0;
    while (i < buckets.length && value > buckets[i]) i++;
    this.#counts[i]++;
    this.#sum += value;
    this.#count++;
  }

  /** A copy, for `stats()`. */
  snapshot(): LatencyHistogram {
    return {
      buckets: this.#buckets,
      counts: [...this.#counts],
      sum: this.#sum,
      count: this.#count,
    };
  }
}

/**
 * `stats` in the Prometheus text format: gauges for connections, sessions,
 * resumable sessions, channels and members; counters for frames in and out
 * by `type`, deliveries, drops, rate-limited and bad frames, duplicates, slow
 * consumers, resumes, takeovers and errors by `code`; and the histogram
 * `lifeline_publish_delivery_seconds`. Serve it as
 * `text/plain; version=0.0.4`.
 *
 * @example A route's body
 * ```ts
 * import { prometheusMetrics, Relay } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay();
 * relay.open({ send() {}, close() {} }).message('{"type":"hello","v":1}');
 * const text = prometheusMetrics(relay.stats());
 * assert.match(text, /^lifeline_connections 1$/m);
 * assert.match(text, /^lifeline_frames_received_total\{type="hello"\} 1$/m);
 * relay.close();
 * ```
 */
export function prometheusMetrics(stats: RelayStats): string {
  const lines: string[] = [];
  const metric = (
    name: string,
    type: "gauge" | "counter",
    help: string,
    values: number | Record<string, number>,
    label = "",
  ): void => {
    lines.push(`# HELP lifeline_${name} ${help}`);
    lines.push(`# TYPE lifeline_${name} ${type}`);
    if (typeof values === "number") {
      lines.push(`lifeline_${name} ${values}`);
      return;
    }
    for (const [key, value] of Object.entries(values)) {
      lines.push(`lifeline_${name}{${label}="${escapeLabel(key)}"} ${value}`);
    }
  };
  metric(
    "connections",
    "gauge",
    "Open sockets, welcomed or not.",
    stats.connections,
  );
  metric("sessions", "gauge", "Welcomed connections.", stats.sessions);
  metric(
    "resumable_sessions",
    "gauge",
    "Closed sessions that can still be resumed.",
    stats.resumable,
  );
  metric("channels", "gauge", "Channels with a member here.", stats.channels);
  metric("members", "gauge", "Channel memberships here.", stats.members);
  metric(
    "frames_received_total",
    "counter",
    "Frames received, by type.",
    stats.framesIn,
    "type",
  );
  metric(
    "frames_sent_total",
    "counter",
    "Frames sent, by type.",
    { ...stats.framesOut },
    "type",
  );
  metric(
    "deliveries_total",
    "counter",
    "Channel and app-wide messages handed to a socket.",
    stats.deliveries,
  );
  metric("drops_total", "counter", "Frames not sent.", stats.drops);
  metric(
    "rate_limited_total",
    "counter",
    "Frames refused for rate.",
    stats.rateLimited,
  );
  metric(
    "bad_frames_total",
    "counter",
    "Bad frames received.",
    stats.badFrames,
  );
  metric(
    "duplicates_total",
    "counter",
    "Publishes acked as duplicates.",
    stats.duplicates,
  );
  metric(
    "slow_consumers_total",
    "counter",
    "Connections closed as slow consumers.",
    stats.slowConsumers,
  );
  metric("resumes_total", "counter", "Sessions resumed.", stats.resumes);
  metric(
    "takeovers_total",
    "counter",
    "Sessions taken over from a live connection.",
    stats.takeovers,
  );
  metric(
    "errors_total",
    "counter",
    "Error codes sent to clients, by code.",
    stats.errors,
    "code",
  );
  const { buckets, counts, sum, count } = stats.latency;
  const name = "lifeline_publish_delivery_seconds";
  lines.push(
    `# HELP ${name} From taking a publish to handing it to the members here.`,
  );
  lines.push(`# TYPE ${name} histogram`);
  let cumulative = 0;
  buckets.forEach((bound, i) => {
    cumulative += counts[i];
    lines.push(`${name}_bucket{le="${bound / 1000}"} ${cumulative}`);
  });
  lines.push(`${name}_bucket{le="+Inf"} ${count}`);
  lines.push(`${name}_sum ${sum / 1000}`);
  lines.push(`${name}_count ${count}`);
  return lines.join("\n") + "\n";
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(
    /\n/g,
    "\\n",
  );
}

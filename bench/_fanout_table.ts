/**
 * The fan-out benchmark's results (`./fanout.ts`): one line per measured
 * server and size with every run, the median run, and the table of
 * lifeline/raw (and lifeline/baseline) ratios.
 *
 * @module
 */

/** The relay of this checkout, the relay of the baseline commit, the raw broadcast. */
export type Kind = "lifeline" | "baseline" | "raw";

/** One measured run of one server at one size. */
export interface Result {
  runtime: string;
  kind: Kind;
  subscribers: number;
  delivered: number;
  expected: number;
  ms: number;
  cpuMicros: number;
  /**
   * This process's CPU time in the run, µs: the publisher and subscribers'
   * side, which on a small machine bounds the deliveries per second.
   */
  clientMicros: number;
}

/** Prints every run of one server at one size, on one line. */
export function printRuns(
  target: { runtime: string; kind: Kind },
  subscribers: number,
  runs: Result[],
): void {
  console.log(
    `${target.runtime} ${target.kind} N=${subscribers}: ${
      runs.map((r) => format(rate(r))).join(" / ")
    } deliveries/s, ${
      runs.map((r) => perDelivery(r).toFixed(2)).join(" / ")
    } µs CPU/delivery, client ${
      runs.map((r) => clientPerDelivery(r).toFixed(2)).join(" / ")
    } µs${runs.some((r) => r.delivered < r.expected) ? " (some capped)" : ""}`,
  );
}

/** The run with the median throughput, carrying the median CPU per delivery. */
export function median(runs: Result[]): Result {
  const middle = <T>(values: T[], key: (v: T) => number) =>
    values.toSorted((a, b) => key(a) - key(b))[Math.floor(values.length / 2)];
  const byRate = middle(runs, rate);
  const byCpu = middle(runs, perDelivery);
  const byClient = middle(runs, clientPerDelivery);
  return {
    ...byRate,
    cpuMicros: perDelivery(byCpu) * Math.max(1, byRate.delivered),
    clientMicros: clientPerDelivery(byClient) * Math.max(1, byRate.delivered),
  };
}

function rate(result: Result): number {
  return result.delivered / (result.ms / 1000);
}

function perDelivery(result: Result): number {
  return result.cpuMicros / Math.max(1, result.delivered);
}

function clientPerDelivery(result: Result): number {
  return result.clientMicros / Math.max(1, result.delivered);
}

function format(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** Prints the medians as a table, with the ratios of each runtime's rows. */
export function printTable(
  results: Result[],
  repeats: number,
  baseline?: string,
): void {
  const rows: string[][] = [[
    "runtime",
    "N",
    "lifeline del/s",
    "raw del/s",
    "del/s ratio",
    "lifeline µs/del",
    "raw µs/del",
    "CPU ratio",
    "client µs/del",
    ...(baseline === undefined ? [] : [
      "baseline del/s",
      "del/s vs baseline",
      "baseline µs/del",
      "CPU vs baseline",
    ]),
  ]];
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  for (const runtime of ["deno", "bun"]) {
    const sizes = new Set(results.map((r) => r.subscribers));
    for (const subscribers of [...sizes].sort((a, b) => a - b)) {
      const find = (kind: Kind) =>
        results.find((r) =>
          r.runtime === runtime && r.kind === kind &&
          r.subscribers === subscribers
        );
      const ours = find("lifeline");
      const raw = find("raw");
      const base = find("baseline");
      if (!ours && !raw && !base) continue;
      const cell = (r: Result | undefined, f: (r: Result) => string) =>
        r ? f(r) : "-";
      rows.push([
        runtime,
        String(subscribers),
        cell(ours, (r) => format(rate(r))),
        cell(raw, (r) => format(rate(r))),
        ours && raw ? ratio(rate(ours), rate(raw)) : "-",
        cell(ours, (r) => perDelivery(r).toFixed(2)),
        cell(raw, (r) => perDelivery(r).toFixed(2)),
        ours && raw ? ratio(perDelivery(ours), perDelivery(raw)) : "-",
        `${cell(ours, (r) => clientPerDelivery(r).toFixed(2))}/${
          cell(raw, (r) => clientPerDelivery(r).toFixed(2))
        }`,
        ...(baseline === undefined ? [] : [
          cell(base, (r) => format(rate(r))),
          ours && base ? ratio(rate(ours), rate(base)) : "-",
          cell(base, (r) => perDelivery(r).toFixed(2)),
          ours && base ? ratio(perDelivery(ours), perDelivery(base)) : "-",
        ]),
      ]);
    }
  }
  const widths = rows[0].map((_, i) =>
    Math.max(...rows.map((r) => r[i].length))
  );
  console.log();
  for (const row of rows) {
    console.log(row.map((c, i) => c.padStart(widths[i])).join("  "));
  }
  console.log(
    `\nmedians of ${repeats} runs. del/s: deliveries per second seen by the subscribers; µs/del: server CPU (user + system) per delivery; client µs/del: the bench process's (publisher and subscribers), lifeline/raw.\n` +
      "ratios are lifeline / raw: throughput above 1 is faster, CPU above 1 costs more." +
      (baseline === undefined
        ? ""
        : `\n"vs baseline" ratios are this checkout / ${baseline}, the same way round.`),
  );
}

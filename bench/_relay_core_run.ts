/**
 * The relay core's own cost, in one process and without a network: one
 * publisher and N subscribers on sockets that only count what they are
 * sent, each publish going the whole way through the relay (decode, checks,
 * store, ack, encode once, fan-out). Two relay modules are measured in
 * turn, round after round, so that both see the same machine state; the
 * medians and their ratio are printed.
 *
 * Runtime-neutral, so that Bun runs it too:
 * `bun bench/_relay_core_run.ts <current relay mod.ts> <baseline relay mod.ts>`
 * prints the results as one JSON line. `bench/fanout.ts --baseline` runs it
 * on Deno and on Bun.
 *
 * `--profile <subscribers> <relay mod.ts>` runs that scenario's rounds for
 * one relay only, for a CPU profile of the publish path; what makes
 * `bench/results/profile_relay.md`:
 * `deno run -A --cpu-prof --cpu-prof-dir=<dir> bench/_relay_core_run.ts --profile 10 src/relay/mod.ts`
 * (or `bun --cpu-prof …`), then `deno run -A bench/profile_summary.ts <dir>/<file>`.
 *
 * @module
 */

/** The little of a relay module this bench uses, in every version. */
interface RelayModule {
  Relay: new (options: { limits: { rate: number } }) => {
    open(socket: { send(text: string): void; close(): void }): {
      message(data: string): void;
    };
    close(): void;
  };
}

/** Subscribers and publishes per round: about the same work in each row. */
const SCENARIOS = [
  { subscribers: 10, publishes: 40_000 },
  { subscribers: 100, publishes: 8_000 },
  { subscribers: 1_000, publishes: 1_000 },
] as const;
/** Measured rounds per relay and scenario; the medians are reported. */
const ROUNDS = 9;

/** One scenario's medians, for the current relay and the baseline's. */
export interface CoreResult {
  subscribers: number;
  /** Microseconds of relay work per publish, current relay. */
  current: number;
  /** The same for the baseline relay. */
  baseline: number;
}

/** Runs one round: a fresh relay, N subscribers, `publishes` publishes. */
function round(
  module: RelayModule,
  subscribers: number,
  publishes: number,
): number {
  const relay = new module.Relay({ limits: { rate: 0 } });
  let delivered = 0;
  const counting = { send: () => void delivered++, close() {} };
  const join = '{"type":"join","channel":"bench"}';
  for (let i = 0; i < subscribers; i++) {
    const subscriber = relay.open(counting);
    subscriber.message('{"type":"hello","v":1}');
    subscriber.message(join);
  }
  const publisher = relay.open({ send() {}, close() {} });
  publisher.message('{"type":"hello","v":1}');
  publisher.message(join);
  const frames: string[] = [];
  for (let i = 0; i < publishes; i++) {
    frames.push(
      `{"type":"pub","ref":${i},"channel":"bench","event":"tick","data":{"n":${i}},"mid":"m${i}"}`,
    );
  }
  delivered = 0;
  const start = performance.now();
  for (const frame of frames) publisher.message(frame);
  const elapsed = performance.now() - start;
  const seen = delivered;
  relay.close();
  if (seen !== publishes * subscribers) {
    throw new Error(
      `expected ${publishes * subscribers} deliveries, saw ${seen}`,
    );
  }
  return (elapsed * 1000) / publishes;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Measures both relay modules, interleaved, and answers the medians. */
export async function measureCore(
  currentUrl: string,
  baselineUrl: string,
): Promise<CoreResult[]> {
  const current: RelayModule = await import(currentUrl);
  const baseline: RelayModule = await import(baselineUrl);
  const results: CoreResult[] = [];
  for (const { subscribers, publishes } of SCENARIOS) {
    // Warm both up, so that neither pays the JIT in a measured round.
    round(current, subscribers, publishes);
    round(baseline, subscribers, publishes);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which goes first, so that neither always follows the other.
      if (i % 2 === 0) {
        a.push(round(current, subscribers, publishes));
        b.push(round(baseline, subscribers, publishes));
      } else {
        b.push(round(baseline, subscribers, publishes));
        a.push(round(current, subscribers, publishes));
      }
    }
    results.push({ subscribers, current: median(a), baseline: median(b) });
  }
  return results;
}

/** Runs `subscribers`' scenario 4 × ROUNDS times on one relay; answers the median. */
export async function profileCore(
  url: string,
  subscribers: number,
): Promise<number> {
  const module: RelayModule = await import(url);
  const scenario = SCENARIOS.find((s) => s.subscribers === subscribers);
  if (scenario === undefined) {
    throw new Error(`no scenario with ${subscribers} subscribers`);
  }
  const times: number[] = [];
  for (let i = 0; i < 4 * ROUNDS; i++) {
    times.push(round(module, subscribers, scenario.publishes));
  }
  return median(times);
}

if (import.meta.main) {
  const process = (globalThis as {
    process?: { argv: string[]; cwd(): string };
  }).process;
  const args = process?.argv.slice(2) ?? [];
  // A path is taken from the working directory.
  const url = (arg: string) =>
    new URL(arg, `file://${process?.cwd() ?? ""}/`).href;
  if (args[0] === "--profile") {
    const subscribers = Number(args[1]);
    const micros = await profileCore(url(args[2]), subscribers);
    console.log(JSON.stringify({ subscribers, micros }));
  } else {
    const [currentUrl, baselineUrl] = args;
    console.log(
      JSON.stringify(await measureCore(url(currentUrl), url(baselineUrl))),
    );
  }
}

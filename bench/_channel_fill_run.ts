/**
 * One fill of one channel, in one process and without a network: N
 * connections say hello (with a small profile) and join the channel one
 * after the other, each join going the whole way through the relay (decode,
 * store, join ack, presence to the members), on sockets that only count
 * what they are sent. The joins arrive `rate` per second of the relay's
 * (virtual) clock, so that timers (the presence batch) fire as they would. Prints one JSON line: the time, the heap growth, and
 * the frames and bytes the relay sent (the bytes a network would carry and
 * the runtime buffer).
 *
 * Runtime-neutral, so that Bun runs it too:
 * `bun bench/_channel_fill_run.ts <relay mod.ts URL> <members> <rate> [options JSON]`.
 * `bench/channel_fill.ts` runs it, one process per fill.
 *
 * @module
 */

/** The little of a relay module this bench uses, in every version. */
interface RelayModule {
  Relay: new (options: Record<string, unknown>) => {
    open(socket: { send(text: string): void; close(): void }): {
      message(data: string): void;
    };
    close(): void;
  };
}

/** What one fill measured. */
export interface FillResult {
  members: number;
  ms: number;
  /** Heap growth over the fill, in bytes (after a collection, where the runtime allows one). */
  heapBytes: number;
  frames: number;
  /** The length of the frames' text sent (bytes, for ASCII profiles as here). */
  bytesSent: number;
}

type Global = {
  gc?: () => void;
  Bun?: { gc(force: boolean): void };
  process?: { argv: string[]; memoryUsage(): { heapUsed: number } };
};

function collect(): void {
  const g = globalThis as Global;
  if (g.Bun !== undefined) g.Bun.gc(true);
  else g.gc?.();
}

function heapUsed(): number {
  collect();
  return (globalThis as Global).process!.memoryUsage().heapUsed;
}

/** A clock the bench moves by hand; timers fire as it passes them. */
class VirtualClock {
  #now = 0;
  #next = 1;
  #timers = new Map<number, { at: number; fn: () => void }>();
  now = (): number => this.#now;
  setTimeout = (fn: () => void, ms: number): number => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return id;
  };
  clearTimeout = (id: unknown): void => void this.#timers.delete(id as number);
  /** Moves to `to`, firing every timer due by then, in order. */
  advance(to: number): void {
    for (let guard = 0; guard < 100_000; guard++) {
      let first: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= to && (!first || entry[1].at < first[1].at)) {
          first = entry;
        }
      }
      if (first === undefined) break;
      this.#timers.delete(first[0]);
      this.#now = first[1].at;
      first[1].fn();
    }
    this.#now = to;
  }
}

/** Fills one channel with `members` connections, `rate` joins per second. */
export function fill(
  module: RelayModule,
  members: number,
  rate: number,
  options: Record<string, unknown>,
): FillResult {
  const before = heapUsed();
  const clock = new VirtualClock();
  const relay = new module.Relay({
    limits: { rate: 0 },
    clock,
    // Nobody sends pings here: no heartbeat closes within the fill.
    heartbeat: { interval: 3_600_000, timeout: 3_600_000 },
    ...options,
  });
  let frames = 0;
  let bytesSent = 0;
  const socket = {
    send(text: string) {
      frames++;
      bytesSent += text.length;
    },
    close() {},
  };
  const start = performance.now();
  const connections = [];
  for (let i = 0; i < members; i++) {
    const conn = relay.open(socket);
    conn.message(`{"type":"hello","v":1,"profile":{"name":"member ${i}"}}`);
    conn.message(`{"type":"join","ref":1,"channel":"town"}`);
    connections.push(conn);
    clock.advance(((i + 1) * 1000) / rate);
  }
  clock.advance(members * 1000 / rate + 1000); // the last batch goes out
  const ms = performance.now() - start;
  const heapBytes = heapUsed() - before;
  const result = { members, ms, heapBytes, frames, bytesSent };
  relay.close();
  return result;
}

if (import.meta.main) {
  const [url, members, rate, options] = (globalThis as Global).process!.argv
    .slice(2);
  const module: RelayModule = await import(url);
  const parsed = JSON.parse(options ?? "{}");
  // JSON holds no function: `"presence": false` stands for one that says no.
  if (parsed.presence === false) parsed.presence = () => false;
  const result = fill(module, Number(members), Number(rate), parsed);
  console.log(JSON.stringify(result));
}

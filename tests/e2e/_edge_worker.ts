/**
 * The example Worker (`examples/worker/worker.ts`) with a relay object that
 * counts, for the tests on workerd: each wake (constructor run), the event
 * that woke it, every frame and every `ping` that reached
 * `webSocketMessage`, every alarm. The counts are kept in the object's
 * storage, so they survive an eviction; `GET /test/events` reads them.
 *
 * @module
 */

import worker, {
  LifelineRelay as ExampleRelay,
  type WorkerEnv,
} from "../../examples/worker/worker.ts";
import type {
  DurableObjectContext,
  HibernatableWebSocket,
} from "../../src/relay/adapters/durable_object.ts";

export default {
  fetch(request: Request, env: WorkerEnv): Promise<Response> | Response {
    if (new URL(request.url).pathname === "/test/events") {
      return env.RELAY.get(env.RELAY.idFromName("app")).fetch(request);
    }
    return worker.fetch(request, env);
  },
};

/** The example's relay object, counting what reaches it. */
export class LifelineRelay extends ExampleRelay {
  #sql: DurableObjectContext["storage"]["sql"];
  /** Whether no event reached this instance yet (the next one woke it). */
  #fresh = true;

  constructor(ctx: DurableObjectContext, env: WorkerEnv) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS test_events (kind TEXT PRIMARY KEY, n INTEGER NOT NULL)",
    ).toArray();
    this.#count("wake");
  }

  #count(kind: string): void {
    this.#sql.exec(
      `INSERT INTO test_events (kind, n) VALUES (?, 1)
        ON CONFLICT (kind) DO UPDATE SET n = n + 1`,
      kind,
    ).toArray();
  }

  #event(kind: string): void {
    if (this.#fresh) this.#count(`woken by ${kind}`);
    this.#fresh = false;
    this.#count(kind);
  }

  override fetch(request: Request): Promise<Response> | Response {
    if (new URL(request.url).pathname !== "/test/events") {
      this.#event("fetch");
      return super.fetch(request);
    }
    const rows = this.#sql.exec("SELECT kind, n FROM test_events").toArray();
    return Response.json(
      Object.fromEntries(rows.map((r) => [String(r.kind), Number(r.n)])),
    );
  }

  override webSocketMessage(
    ws: HibernatableWebSocket,
    data: string | ArrayBuffer,
  ): void {
    this.#event(data === "ping" ? "ping" : "frame");
    super.webSocketMessage(ws, data);
  }

  override alarm(): void {
    this.#event("alarm");
    super.alarm();
  }
}

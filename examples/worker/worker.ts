/**
 * The example relay as a Cloudflare Worker: `deno task worker` runs it on
 * local workerd, `wrangler deploy` (see `./README.md`) on Cloudflare.
 *
 * The Worker routes `GET /ws`, `GET /channels/:name/members`, `GET /health`
 * and `POST /users/:id/events` to one Durable Object, {@linkcode
 * LifelineRelay}, named `app`: one object per app, so a client in many
 * channels holds one socket, and a publish reaches every member without a
 * hop between objects (the README compares the other shardings). The object
 * serves the relay over the Hibernation API (`relay/durable-object`) and the
 * other routes with the example relay's own (`../relay/routes.ts`), with
 * the same `LIFELINE_*` variables (`../relay/config.ts`), read from the
 * Worker's `vars`.
 *
 * @module
 */

import {
  type DurableObjectContext,
  type DurableObjectRelay,
  durableObjectRelay,
  type HibernatableWebSocket,
} from "../../src/relay/adapters/durable_object.ts";
import { type Env as ConfigEnv, readConfig } from "../relay/config.ts";
import { createRoutes, isRelayRequest } from "../relay/routes.ts";
import { heartbeatFrom } from "./heartbeat.ts";

/** The part of a Durable Object namespace binding the Worker uses. */
export interface RelayNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

/** The Worker's environment: the relay's namespace and the `LIFELINE_*` vars. */
export type WorkerEnv = { RELAY: RelayNamespace } & ConfigEnv;

/** The name of the one relay object of the app. */
const APP_OBJECT = "app";

const ROUTED =
  /^\/(ws|health|stats|channels\/.+\/members|users\/[^/]+\/events)$/;

export default {
  /** Routes the relay's paths to the app's object; 404 for anything else. */
  fetch(request: Request, env: WorkerEnv): Promise<Response> | Response {
    if (!ROUTED.test(new URL(request.url).pathname)) {
      return Response.json(
        { error: { code: "not_found", message: "No such route" } },
        { status: 404 },
      );
    }
    return env.RELAY.get(env.RELAY.idFromName(APP_OBJECT)).fetch(request);
  },
};

/** The relay's Durable Object: one per app. */
export class LifelineRelay {
  /** The relay adapter, rebuilt on every wake. */
  readonly lifeline: DurableObjectRelay;
  #routes: { fetch(request: Request): Response | Promise<Response> };

  constructor(ctx: DurableObjectContext, env: WorkerEnv) {
    const config = readConfig(env);
    this.lifeline = durableObjectRelay(ctx, {
      ...config.relay,
      heartbeat: heartbeatFrom(env),
    });
    this.#routes = createRoutes(this.lifeline.relay, config);
  }

  fetch(request: Request): Promise<Response> | Response {
    return isRelayRequest(request)
      ? this.lifeline.fetch(request)
      : this.#routes.fetch(request);
  }

  webSocketMessage(ws: HibernatableWebSocket, data: string | ArrayBuffer) {
    this.lifeline.webSocketMessage(ws, data);
  }

  webSocketClose(ws: HibernatableWebSocket, code: number, reason: string) {
    this.lifeline.webSocketClose(ws, code, reason);
  }

  webSocketError(ws: HibernatableWebSocket, error: unknown) {
    this.lifeline.webSocketError(ws, error);
  }

  alarm() {
    this.lifeline.alarm();
  }
}

/**
 * Who gets in: the origin check, the token and the `authenticate` hook, at
 * the upgrade and again for a `hello` that carries a token. Internal.
 *
 * @module
 */

import { isThenable } from "../core/_thenable.ts";
import type { AcceptResult } from "./accept_result.ts";
import { readToken } from "./auth_token.ts";
import type { Identity } from "./identity.ts";

/**
 * The identity of every connection admitted without an `authenticate`
 * hook: one frozen object for them all, not one each.
 */
const ANONYMOUS: Identity = Object.freeze({});

/** What `authenticate` may answer. */
export type Authenticated = Identity | null | undefined;

/** The hooks admission runs; `RelayOptions` has them. */
export interface AdmissionHooks {
  authenticate?(
    request: Request,
    token: string | undefined,
  ): Authenticated | Promise<Authenticated>;
  origins?: readonly string[] | ((origin: string) => boolean);
}

/** Decides upgrade requests and hello tokens. */
export class Admission {
  #hooks: AdmissionHooks;
  #report: (error: unknown) => void;

  constructor(hooks: AdmissionHooks, report: (error: unknown) => void) {
    this.#hooks = hooks;
    this.#report = report;
  }

  /** Whether `hello` tokens are checked at all. */
  get authenticates(): boolean {
    return this.#hooks.authenticate !== undefined;
  }

  /** Origin (403), then the token and `authenticate` (401). */
  async accept(request: Request): Promise<AcceptResult> {
    if (!this.#originAllowed(request.headers.get("origin"))) {
      return {
        ok: false,
        status: 403,
        code: "forbidden",
        message: "Origin not allowed",
      };
    }
    const { token, protocol, error } = readToken(request);
    if (error !== undefined) {
      return { ok: false, status: 400, code: "bad_frame", message: error };
    }
    let identity: Authenticated = ANONYMOUS;
    const authenticate = this.#hooks.authenticate;
    if (authenticate !== undefined) {
      try {
        identity = await authenticate(request, token);
      } catch (error) {
        this.#report(error);
        identity = undefined;
      }
    }
    if (identity === null || identity === undefined) {
      return {
        ok: false,
        status: 401,
        code: "unauthorized",
        message: "Authentication failed",
      };
    }
    return protocol === undefined
      ? { ok: true, identity }
      : { ok: true, identity, protocol };
  }

  /**
   * Runs `authenticate` for a `hello` token; a throw or a rejection answers
   * `undefined` (refused). Synchronous when the hook is.
   */
  authenticateHello(
    request: Request | undefined,
    token: string,
  ): Authenticated | Promise<Authenticated> {
    const authenticate = this.#hooks.authenticate!;
    let identity: Authenticated | Promise<Authenticated>;
    try {
      identity = authenticate(
        request ?? new Request("http://relay.invalid/"),
        token,
      );
    } catch (error) {
      this.#report(error);
      return undefined;
    }
    if (!isThenable(identity)) return identity;
    return Promise.resolve(identity).then(undefined, (error) => {
      this.#report(error);
      return undefined;
    });
  }

  #originAllowed(origin: string | null): boolean {
    const origins = this.#hooks.origins;
    if (origin === null || origins === undefined) return true;
    try {
      return typeof origins === "function"
        ? origins(origin) === true
        : origins.includes(origin);
    } catch (error) {
      this.#report(error);
      return false;
    }
  }
}

/**
 * How the wire layer opens a TCP connection: a {@linkcode Dialer}, shaped
 * like workerd's `connect()` from `cloudflare:sockets`, so that one is
 * passed as is. On Deno, Bun and Node, `connect` finds the runtime's own.
 *
 * @example A dialer over Deno's TCP API
 * ```ts
 * import type { Dialer } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const dial: Dialer = (address, options) =>
 *   options.secureTransport === "on" ? Deno.connectTls(address) : Deno.connect(address);
 * assert.equal(typeof dial, "function");
 * ```
 *
 * @module
 */

import type { ByteStream } from "./byte_stream.ts";

/** Where to connect. */
export interface DialAddress {
  /** The host name or IP address, without brackets. */
  hostname: string;
  /** The TCP port. */
  port: number;
}

/** How to connect: `secureTransport: "on"` asks for TLS (`wss:`). */
export interface DialOptions {
  /** `"on"` for TLS, `"off"` for plain TCP. */
  secureTransport: "on" | "off";
  /** Always `false`: the connection closes when either side ends it. */
  allowHalfOpen: boolean;
}

/**
 * Opens a byte stream to `address`. workerd's `connect` fits as it is; a
 * `Deno.Conn` or a wrapped `node:net` socket is a {@linkcode ByteStream}.
 *
 * @example workerd's connect() is a dialer
 * ```ts ignore
 * import { connect as tcp } from "cloudflare:sockets";
 * import { connect } from "@lifeline/realtime/wire";
 *
 * const ws = await connect("ws://example.com/live", { dial: tcp });
 * ```
 */
export type Dialer = (
  address: DialAddress,
  options: DialOptions,
) => ByteStream | Promise<ByteStream>;

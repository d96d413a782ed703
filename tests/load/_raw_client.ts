/**
 * A WebSocket client on a bare TCP connection, for a test that needs a
 * client which stops reading: it sends masked text frames, and reads (and
 * parses) only when asked, so while it does not, the relay's bytes pile up
 * in the kernel and then in the relay. Deno only; text and close frames.
 *
 * @module
 */

/** A frame from the server: a text frame's text, or a close frame's code. */
export type ServerFrame =
  | { kind: "text"; text: string }
  | { kind: "close"; code: number; reason: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A connected client; nothing is read until `readUntil`. */
export class RawClient {
  readonly #conn: Deno.Conn;
  #pending = new Uint8Array(0);
  #buffer = new Uint8Array(64 * 1024);
  #reading: Promise<number | null> | undefined;
  #closed = false;
  /** Bytes read so far, frames included. */
  bytesRead = 0;

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Connects to `url` (`ws://127.0.0.1:PORT/path`) and completes the handshake. */
  static async connect(url: string): Promise<RawClient> {
    const { hostname, port, pathname, search } = new URL(url);
    const conn = await Deno.connect({ hostname, port: Number(port) });
    const client = new RawClient(conn);
    const key = btoa(
      String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
    );
    await client.#write(encoder.encode(
      `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
        "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ));
    for (;;) {
      const end = indexOf(client.#pending, "\r\n\r\n");
      if (end >= 0) {
        const head = decoder.decode(client.#pending.subarray(0, end));
        if (!head.startsWith("HTTP/1.1 101")) {
          conn.close();
          throw new Error(`Handshake refused: ${head.split("\r\n")[0]}`);
        }
        client.#pending = client.#pending.subarray(end + 4);
        return client;
      }
      if (!await client.#fill()) throw new Error("Closed during the handshake");
    }
  }

  /** Sends one masked text frame. */
  send(text: string): Promise<void> {
    const payload = encoder.encode(text);
    const length = payload.length;
    const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
    const frame = new Uint8Array(head + 4 + length);
    frame[0] = 0x81;
    if (length < 126) frame[1] = 0x80 | length;
    else if (length < 65_536) {
      frame[1] = 0x80 | 126;
      new DataView(frame.buffer).setUint16(2, length);
    } else {
      frame[1] = 0x80 | 127;
      new DataView(frame.buffer).setBigUint64(2, BigInt(length));
    }
    const mask = crypto.getRandomValues(new Uint8Array(4));
    frame.set(mask, head);
    for (let i = 0; i < length; i++) {
      frame[head + 4 + i] = payload[i] ^ mask[i & 3];
    }
    return this.#write(frame);
  }

  /**
   * Reads frames until `done` says so for one of them, the server closes,
   * or `timeout` ms pass; answers every frame read.
   */
  async readUntil(
    done: (frame: ServerFrame) => boolean,
    timeout: number,
  ): Promise<ServerFrame[]> {
    const frames: ServerFrame[] = [];
    const deadline = Date.now() + timeout;
    for (;;) {
      let frame: ServerFrame | undefined;
      while ((frame = this.#parse()) !== undefined) {
        frames.push(frame);
        if (done(frame) || frame.kind === "close") return frames;
      }
      const left = deadline - Date.now();
      if (left <= 0 || !await this.#fill(left)) return frames;
    }
  }

  /** Closes the TCP connection, and waits for a read in flight. Idempotent. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#conn.close();
      } catch {
        // Already closed by the peer.
      }
    }
    await this.#reading?.catch(() => null);
  }

  async #write(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) {
      written += await this.#conn.write(bytes.subarray(written));
    }
  }

  /**
   * Reads once more (at most `timeout` ms); false on EOF or timeout. A read
   * that is late stays in flight, and the next call takes it up: no byte is
   * lost.
   */
  async #fill(timeout = 10_000): Promise<boolean> {
    const buffer = this.#buffer;
    this.#reading ??= this.#conn.read(buffer);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), timeout);
    });
    try {
      const n = await Promise.race([this.#reading, late]);
      if (n === "late") return false;
      this.#reading = undefined;
      if (n === null) return false;
      this.bytesRead += n;
      const joined = new Uint8Array(this.#pending.length + n);
      joined.set(this.#pending);
      joined.set(buffer.subarray(0, n), this.#pending.length);
      this.#pending = joined;
      return true;
    } catch {
      this.#reading = undefined;
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** One whole frame off the front of what was read, if there is one. */
  #parse(): ServerFrame | undefined {
    const bytes = this.#pending;
    if (bytes.length < 2) return undefined;
    let length = bytes[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (bytes.length < 4) return undefined;
      length = (bytes[2] << 8) | bytes[3];
      offset = 4;
    } else if (length === 127) {
      if (bytes.length < 10) return undefined;
      length = Number(
        new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(2),
      );
      offset = 10;
    }
    if (bytes.length < offset + length) return undefined;
    const payload = bytes.subarray(offset, offset + length);
    this.#pending = bytes.subarray(offset + length);
    const opcode = bytes[0] & 0x0f;
    if (opcode === 0x8) {
      const code = payload.length >= 2 ? (payload[0] << 8) | payload[1] : 1005;
      return {
        kind: "close",
        code,
        reason: decoder.decode(payload.subarray(2)),
      };
    }
    return { kind: "text", text: decoder.decode(payload) };
  }
}

function indexOf(bytes: Uint8Array, text: string): number {
  const needle = encoder.encode(text);
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (bytes[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

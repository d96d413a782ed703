/**
 * The text of a publish's `ack` (once per publish with a `ref`), built
 * directly: the same text as `encodeFrame` of `ackFrame` (a test holds it to
 * it), without the two objects. (A `msg` built the same way, by string
 * concatenation, measured slower than `JSON.stringify` of its frame object
 * on Deno and Bun, so it is not.) Internal.
 *
 * @module
 */

/**
 * `encodeFrame(ackFrame(ref, offset === undefined ? {} : { offset }))`: the
 * ack of a publish.
 */
export function pubAckText(ref: number, offset: number | undefined): string {
  return '{"type":"ack","ref":' + ref + ',"ok":true,"data":' +
    (offset === undefined ? "{}}" : '{"offset":' + offset + "}}");
}

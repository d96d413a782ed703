/**
 * The text of the relay's two hottest frames, built directly: a `msg` (once
 * per publish) and a publish's `ack` (once per publish with a `ref`). The
 * same text as `encodeFrame` of `msgFrame` and `ackFrame` (a test holds them
 * to it), without building the frame object first; the data is encoded once,
 * and the ack's data, an offset, not at all. Internal.
 *
 * @module
 */

/**
 * `encodeFrame(msgFrame(channel, offset, event, data, sender))`. `channel`
 * is a valid channel name (whose characters JSON does not escape) or null.
 */
export function msgText(
  channel: string | null,
  offset: number | undefined,
  event: string,
  data: unknown,
  sender: string | null,
): string {
  // A value JSON cannot hold (undefined, a function) is left out, as it is
  // from an object.
  const json: string | undefined = JSON.stringify(data);
  // A channel name's characters need no escaping (`isChannelName`).
  const name = channel === null ? "null" : '"' + channel + '"';
  return '{"type":"msg","channel":' + name +
    (offset === undefined ? "" : ',"offset":' + offset) +
    ',"event":' + JSON.stringify(event) +
    (json === undefined ? "" : ',"data":' + json) +
    ',"sender":' + JSON.stringify(sender) + "}";
}

/**
 * `encodeFrame(ackFrame(ref, offset === undefined ? {} : { offset }))`: the
 * ack of a publish.
 */
export function pubAckText(ref: number, offset: number | undefined): string {
  return '{"type":"ack","ref":' + ref + ',"ok":true,"data":' +
    (offset === undefined ? "{}}" : '{"offset":' + offset + "}}");
}

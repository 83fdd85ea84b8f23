/**
 * The return path of an email (VERP): `bounces+<token>@example.org` for the configured bounce
 * address `bounces@example.org`, where the token is the outbox message's id (a random UUID, 122
 * bits: guessing another message's is hopeless) as 32 lower-case hex digits. A bounce or
 * complaint sent to it names the message it is about, whatever the remote server kept of the
 * original. Pure: no I/O.
 */

const TOKEN = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `address` can be a bounce address: `local@domain`, the local part without `+`. */
export function isBounceAddress(address: string): boolean {
  return /^[A-Za-z0-9._-]{1,40}@[A-Za-z0-9.-]{1,200}$/.test(address);
}

/** The return path of the outbox message `messageId` (a UUID) under `bounceAddress`. */
export function returnPathFor(bounceAddress: string, messageId: string): string {
  const id = messageId.toLowerCase();
  if (!UUID.test(id)) throw new Error('a return path needs the message id of a UUID');
  const at = bounceAddress.lastIndexOf('@');
  return `${bounceAddress.slice(0, at)}+${id.replaceAll('-', '')}${bounceAddress.slice(at)}`;
}

/**
 * The outbox message id a return path names, or null when `address` is not one of ours: another
 * local part or domain, or a token that is not 32 hex digits. Case does not matter (servers may
 * change it); anything else is refused, never guessed at.
 */
export function messageIdOfReturnPath(bounceAddress: string, address: string): string | null {
  const wanted = bounceAddress.toLowerCase();
  const given = address.trim().toLowerCase();
  if (given.length > 320) return null;
  const at = wanted.lastIndexOf('@');
  const prefix = `${wanted.slice(0, at)}+`;
  const suffix = wanted.slice(at);
  if (!given.startsWith(prefix) || !given.endsWith(suffix)) return null;
  const token = given.slice(prefix.length, given.length - suffix.length);
  if (!TOKEN.test(token)) return null;
  return `${token.slice(0, 8)}-${token.slice(8, 12)}-${token.slice(12, 16)}-${token.slice(16, 20)}-${token.slice(20)}`;
}

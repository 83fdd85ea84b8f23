import type { Hl7ErrorCode } from '../parse/ack.js';

/**
 * A message of a type or event Careloop does not take: answered AR with this error and never
 * handled. Its own file so that the message log's outcomes need not import the handlers (which
 * import the batch, which writes the message log: the circle issue 10 §2 broke).
 */
export interface UnsupportedRoute {
  kind: 'unsupported';
  code: Hl7ErrorCode;
  text: string;
  location: string;
}

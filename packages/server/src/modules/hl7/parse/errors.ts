import { HL7_ERROR, type Hl7ErrorCode } from './ack.js';

/**
 * The message's content is wrong (a required field missing, a date that is not a date, an
 * identifier that belongs to two patients): answered AE, "fix it and resend". The text names
 * the field, never a value from the message, since it is stored and shown in the console.
 */
export class Hl7ContentError extends Error {
  override readonly name = 'Hl7ContentError';
  constructor(
    message: string,
    readonly location: string | null,
    readonly code: Hl7ErrorCode = HL7_ERROR.requiredFieldMissing,
  ) {
    super(message);
  }
}

export const missing = (location: string, what: string) =>
  new Hl7ContentError(`${location} (${what}) is missing`, location, HL7_ERROR.requiredFieldMissing);

export const invalid = (location: string, what: string) =>
  new Hl7ContentError(`${location} (${what}) is not valid`, location, HL7_ERROR.dataTypeError);

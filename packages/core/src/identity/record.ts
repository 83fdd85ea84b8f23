/** One person as a source system describes them, the matcher's input. Every field may be absent. */
export interface MatchRecord {
  given?: string | null;
  family?: string | null;
  /** ISO date (YYYY-MM-DD) or YYYYMMDD, as registries send it. */
  birthDate?: string | null;
  sex?: string | null;
  /** Street address: number, street, unit, building, in one line. */
  line?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  phone?: string | null;
  email?: string | null;
  identifiers?: readonly RecordIdentifier[];
}

/** An identifier within its issuing system: an MRN, an SSN, a payer's member id. */
export interface RecordIdentifier {
  system: string;
  value: string;
}

import {
  createHash,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  timingSafeEqual,
} from 'node:crypto';
import { GENESIS_HASH } from './chain.js';

/**
 * Checkpoints anchor the audit chains outside the database (docs/adr/0009): each one records
 * every organization's chain head, and is signed with a key the database never sees and
 * chained to the checkpoint before it, one JSON line each in an append-only file.
 */

/** One organization's chain as a checkpoint saw it: its last event and how many it held. */
export interface ChainHead {
  orgId: string;
  seq: number;
  hash: string;
  count: number;
}

export interface Checkpoint {
  v: 1;
  /** Position in the file, from 1: a dropped or reordered line shows. */
  line: number;
  /** When the heads were read. */
  at: string;
  /** The previous line's `mac` (64 zeros for the first line). */
  prev: string;
  /** Which key signed it: the first 16 hex digits of SHA-256 over the key. */
  keyId: string;
  chains: ChainHead[];
  /** HMAC-SHA256 over every field above. */
  mac: string;
}

export type CheckpointProblem = 'unreadable' | 'bad-signature' | 'broken-link';

/** A line of the checkpoint file that cannot be trusted. */
export interface CheckpointFinding {
  line: number;
  problem: CheckpointProblem;
  detail: string;
}

/** Checkpoints cannot be taken or checked as configured; the message says what to do. */
export class CheckpointUnavailable extends Error {
  override readonly name = 'CheckpointUnavailable';
}

/** The signing key of checkpoints, with its public fingerprint. */
export class CheckpointKey {
  readonly id: string;
  private readonly key: KeyObject;

  private constructor(bytes: Buffer) {
    this.key = createSecretKey(bytes);
    this.id = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  }

  /** CARELOOP_AUDIT_KEY: base64 of 32 random bytes. */
  static fromBase64(base64: string): CheckpointKey {
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length !== 32) throw new Error('CARELOOP_AUDIT_KEY must be 32 bytes, base64-encoded');
    return new CheckpointKey(bytes);
  }

  /**
   * A subkey of the field-encryption key (HKDF-SHA256): the same secret the deployment already
   * keeps outside the database, never used as is for two purposes.
   */
  static derivedFrom(encryptionKeyBase64: string): CheckpointKey {
    const ikm = Buffer.from(encryptionKeyBase64, 'base64');
    if (ikm.length !== 32) throw new Error('the encryption key must be 32 bytes, base64-encoded');
    const bytes = hkdfSync('sha256', ikm, Buffer.alloc(0), 'careloop audit checkpoint v1', 32);
    return new CheckpointKey(Buffer.from(bytes));
  }

  mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('hex');
  }
}

function signedText(c: Omit<Checkpoint, 'mac'>): string {
  return JSON.stringify([
    c.v,
    c.line,
    c.at,
    c.prev,
    c.keyId,
    c.chains.map((h) => [h.orgId, h.seq, h.hash, h.count]),
  ]);
}

/** The checkpoint that follows `previous` (null for the file's first line), signed. */
export function signCheckpoint(
  key: CheckpointKey,
  previous: Pick<Checkpoint, 'line' | 'mac'> | null,
  chains: ChainHead[],
  at: Date,
): Checkpoint {
  const body = {
    v: 1 as const,
    line: (previous?.line ?? 0) + 1,
    at: at.toISOString(),
    prev: previous?.mac ?? GENESIS_HASH,
    keyId: key.id,
    chains: [...chains].sort((a, b) => (a.orgId < b.orgId ? -1 : a.orgId > b.orgId ? 1 : 0)),
  };
  return { ...body, mac: key.mac(signedText(body)) };
}

const HEX64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function chainHeadOf(value: unknown): ChainHead | null {
  if (!isRecord(value)) return null;
  const { orgId, seq, hash, count } = value;
  if (typeof orgId !== 'string' || !UUID.test(orgId)) return null;
  if (!isCount(seq) || !isCount(count) || typeof hash !== 'string' || !HEX64.test(hash)) {
    return null;
  }
  return { orgId, seq, hash, count };
}

/** A line of the file as a checkpoint, or why it is not one. Validated like any input. */
export function parseCheckpoint(text: string): Checkpoint | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (!isRecord(value)) return 'not a JSON object';
  const { v, line, at, prev, keyId, chains, mac } = value;
  if (v !== 1) return 'unknown version';
  if (!isCount(line)) return 'line is not a positive integer';
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) return 'at is not a time';
  if (typeof prev !== 'string' || !HEX64.test(prev)) return 'prev is not a hash';
  if (typeof mac !== 'string' || !HEX64.test(mac)) return 'mac is not a hash';
  if (typeof keyId !== 'string' || !/^[0-9a-f]{16}$/.test(keyId)) return 'keyId is malformed';
  if (!Array.isArray(chains)) return 'chains is not a list';
  const heads: ChainHead[] = [];
  for (const item of chains) {
    const head = chainHeadOf(item);
    if (!head) return 'a chain head is malformed';
    heads.push(head);
  }
  return { v, line, at, prev, keyId, chains: heads, mac };
}

function macMatches(key: CheckpointKey, c: Checkpoint): boolean {
  const expected = Buffer.from(key.mac(signedText(c)), 'hex');
  return timingSafeEqual(expected, Buffer.from(c.mac, 'hex'));
}

/**
 * Checks a checkpoint file's lines in order: each must parse, carry its position, be signed
 * by `key`, and name the line before it. The latest trustworthy checkpoint is the last line
 * whose signature holds; a line after an untrusted one is not blamed for the broken link.
 */
export class CheckpointFileCheck {
  readonly findings: CheckpointFinding[] = [];
  latest: Checkpoint | null = null;
  lines = 0;
  private expected: Pick<Checkpoint, 'line' | 'mac'> | null = null;
  private trusted = true;

  constructor(private readonly key: CheckpointKey) {}

  add(text: string): void {
    if (text.trim() === '') return;
    this.lines += 1;
    const n = this.lines;
    const parsed = parseCheckpoint(text);
    if (typeof parsed === 'string') {
      this.untrusted(n, 'unreadable', parsed);
      return;
    }
    if (parsed.keyId !== this.key.id || !macMatches(this.key, parsed)) {
      const detail =
        parsed.keyId === this.key.id
          ? 'the signature does not match the line'
          : `signed with another key (${parsed.keyId}, this key is ${this.key.id})`;
      this.untrusted(n, 'bad-signature', detail);
      return;
    }
    const want = this.expected ?? { line: 0, mac: GENESIS_HASH };
    if (this.trusted && (parsed.prev !== want.mac || parsed.line !== n || want.line !== n - 1)) {
      this.findings.push({
        line: n,
        problem: 'broken-link',
        detail: `names line ${parsed.line - 1} as its predecessor, but follows line ${want.line} (a line was removed, added or moved)`,
      });
    }
    this.trusted = true;
    this.expected = { line: n, mac: parsed.mac };
    this.latest = parsed;
  }

  private untrusted(line: number, problem: CheckpointProblem, detail: string): void {
    this.findings.push({ line, problem, detail });
    this.trusted = false;
    this.expected = { line, mac: GENESIS_HASH };
  }
}

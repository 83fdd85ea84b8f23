import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ChainHead,
  type Checkpoint,
  CheckpointFileCheck,
  CheckpointKey,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint.js';

const key = CheckpointKey.fromBase64(randomBytes(32).toString('base64'));
const at = (minute: number) => new Date(Date.UTC(2026, 11, 5, 12, minute));
const head = (org: string, seq: number): ChainHead => ({
  orgId: `00000000-0000-4000-8000-00000000000${org}`,
  seq,
  hash: String(seq % 10).repeat(64),
  count: seq,
});

/** Three signed checkpoints as the file holds them, one JSON text each. */
function file(signer = key): string[] {
  const lines: Checkpoint[] = [];
  for (let i = 0; i < 3; i++) {
    lines.push(
      signCheckpoint(signer, lines.at(-1) ?? null, [head('1', 10 + i), head('2', 5)], at(i)),
    );
  }
  return lines.map((l) => JSON.stringify(l));
}

function check(lines: string[]): CheckpointFileCheck {
  const c = new CheckpointFileCheck(key);
  for (const line of lines) c.add(line);
  return c;
}

describe('audit checkpoints', () => {
  it('accepts an untouched file and takes its last line as the latest checkpoint', () => {
    const c = check(file());
    expect(c.findings).toEqual([]);
    expect(c.lines).toBe(3);
    expect(c.latest).toMatchObject({ line: 3, at: at(2).toISOString() });
    expect(c.latest?.chains.map((h) => h.seq)).toEqual([12, 5]);
  });

  it('reports a line whose chain head was edited, and trusts the line before it', () => {
    const lines = file();
    lines[2] = (lines[2] ?? '').replace('"seq":12', '"seq":99');
    const c = check(lines);
    expect(c.findings).toMatchObject([{ line: 3, problem: 'bad-signature' }]);
    expect(c.latest?.line).toBe(2);
  });

  it('reports a dropped line and a reordered line as broken links', () => {
    const [a, b, c] = file();
    expect(check([a ?? '', c ?? '']).findings).toMatchObject([{ line: 2, problem: 'broken-link' }]);
    expect(check([b ?? '', a ?? '', c ?? '']).findings[0]).toMatchObject({
      line: 1,
      problem: 'broken-link',
    });
  });

  it('reports lines signed with another key, naming both keys', () => {
    const other = CheckpointKey.fromBase64(randomBytes(32).toString('base64'));
    const c = check(file(other));
    expect(c.findings).toHaveLength(3);
    expect(c.findings[0]).toMatchObject({ problem: 'bad-signature' });
    expect(c.findings[0]?.detail).toContain(other.id);
    expect(c.latest).toBeNull();
  });

  it('refuses malformed lines as unreadable without trusting them', () => {
    const [a] = file();
    const bad = JSON.stringify({ ...JSON.parse(a ?? '{}'), chains: [{ orgId: 'x' }] });
    const c = check(['{not json', bad, '[]']);
    expect(c.findings.map((f) => [f.line, f.problem])).toEqual([
      [1, 'unreadable'],
      [2, 'unreadable'],
      [3, 'unreadable'],
    ]);
    expect(parseCheckpoint(bad)).toBe('a chain head is malformed');
    expect(c.latest).toBeNull();
  });

  it('derives the same subkey from the same encryption key, and a different one from another', () => {
    const secret = randomBytes(32).toString('base64');
    expect(CheckpointKey.derivedFrom(secret).id).toBe(CheckpointKey.derivedFrom(secret).id);
    expect(CheckpointKey.derivedFrom(secret).id).not.toBe(CheckpointKey.fromBase64(secret).id);
    expect(() => CheckpointKey.fromBase64('c2hvcnQ=')).toThrow(/32 bytes/);
  });
});

import net from 'node:net';
import { readAck } from '@careloop/core';

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;
/** Reply bytes kept at most: an acknowledgement is a few hundred. */
const MAX_REPLY_BYTES = 64 * 1024;

/** An EHR endpoint for HL7 v2 over MLLP: `host:port`. */
export interface MllpEndpoint {
  host: string;
  port: number;
}

/** `host:port` (a bracketed IPv6 host too), or null when it is not one. */
export function parseEndpoint(text: string): MllpEndpoint | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) return null;
  return { host, port };
}

/**
 * A send the EHR did not take. Its message names a code only (it may be logged); the EHR's
 * MSA-3 text, which could name the patient, is kept apart for the outbox row (`reason`).
 */
export class Hl7SendError extends Error {
  constructor(
    readonly code: string,
    /** The EHR refused the content (AE): sending it again changes nothing. */
    readonly permanent: boolean,
    readonly reason: string | null = null,
  ) {
    super(`hl7 not sent: ${code}`);
    this.name = 'Hl7SendError';
  }
}

/**
 * Sends one message over MLLP and waits for its acknowledgement: AA/CA resolves (with the
 * EHR's filler id when its answer carries one, issue 13), AE/CE is a
 * permanent `Hl7SendError`, AR/CR, no reply, a timeout or a lost connection a transient one
 * (the outbox retries with backoff until the EHR takes it).
 */
export function sendOverMllp(
  endpoint: MllpEndpoint,
  message: string,
  options: { timeoutMs?: number } = {},
): Promise<{ fillerId: string | null }> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let fillerId: string | null = null;
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve({ fillerId });
    };
    const timer = setTimeout(() => finish(new Hl7SendError('timeout', false)), timeoutMs);
    socket.on('connect', () => {
      socket.write(
        Buffer.concat([Buffer.from([VT]), Buffer.from(message, 'utf8'), Buffer.from([FS, CR])]),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      const all = Buffer.concat(chunks, size);
      const end = all.indexOf(FS);
      if (end < 0) {
        if (size > MAX_REPLY_BYTES) finish(new Hl7SendError('reply too large', false));
        return;
      }
      const start = all.indexOf(VT);
      const verdict = readAck(
        all.subarray(start < 0 || start > end ? 0 : start + 1, end).toString('utf8'),
      );
      if (verdict.kind === 'accepted') {
        fillerId = verdict.fillerId;
        finish(null);
      } else if (verdict.kind === 'refused')
        finish(new Hl7SendError('refused (AE)', true, verdict.text));
      else finish(new Hl7SendError('not accepted now (AR)', false, verdict.text));
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(new Hl7SendError(error.code ?? 'connection failed', false)),
    );
    socket.on('close', () => finish(new Hl7SendError('closed without a reply', false)));
  });
}

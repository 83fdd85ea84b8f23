import net from 'node:net';
import { Hl7Message } from '@medplum/core';
import { Hl7Client } from '@medplum/hl7';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAck } from '../parse/ack.js';
import { decodePayload, readMessage, splitMessages } from '../parse/message.js';
import { frame, MllpFramer } from './framer.js';
import { type MllpListener, type MllpOptions, startMllpListener } from './listener.js';

const message = (id: string) =>
  `MSH|^~\\&|LAB|NORTH|CARELOOP|CL|20240301083000||ADT^A08|${id}|P|2.5.1\rPID|1||${id}^^^NORTH^MR||Doe^Jane||19800101|F`;

/** An echo handler: AA for every readable message, after an optional delay. */
function echo(delayMs = 0): MllpOptions['handle'] {
  return async (payload) => {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const text = splitMessages(decodePayload(payload)).messages[0] ?? '';
    const read = readMessage(text);
    return buildAck({
      header: read.ok ? read.message.header : read.header,
      code: read.ok ? 'AA' : 'AR',
    });
  };
}

/** A raw MLLP client: writes bytes, collects reply frames. */
class RawClient {
  readonly replies: string[] = [];
  private readonly framer = new MllpFramer(10_000_000);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const e of this.framer.push(chunk)) {
        if (e.kind === 'frame') this.replies.push(e.payload.toString('utf8'));
      }
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  async waitFor(count: number, timeoutMs = 3000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < count && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out with ${this.replies.length}/${count} replies`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.replies;
  }

  async closedWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  end(): void {
    this.socket.destroy();
  }
}

const msa = (reply: string) => reply.split('\r').find((s) => s.startsWith('MSA')) ?? '';

describe('the MLLP listener', () => {
  let listener: MllpListener | null = null;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end();
    await listener?.close(100);
    listener = null;
  });
  const start = async (options: Partial<MllpOptions> = {}) => {
    listener = await startMllpListener({ port: 0, handle: echo(), ...options });
    const client = await RawClient.connect(listener.port);
    clients.push(client);
    return client;
  };

  it('answers each frame once, in order, when several arrive in one network chunk', async () => {
    // Later messages are answered faster, so only ordering by arrival keeps replies in order.
    let n = 0;
    const client = await start({
      handle: (payload) => {
        n += 1;
        return echo(n === 1 ? 50 : 0)(payload, '');
      },
    });
    client.write(Buffer.concat(['M1', 'M2', 'M3'].map((id) => frame(message(id)))));
    const replies = await client.waitFor(3);
    expect(replies.map(msa)).toEqual(['MSA|AA|M1', 'MSA|AA|M2', 'MSA|AA|M3']);
  });

  it('reassembles a frame that arrives one byte at a time', async () => {
    const client = await start();
    const bytes = frame(message('SLOW'));
    for (const byte of bytes) {
      client.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    expect((await client.waitFor(1)).map(msa)).toEqual(['MSA|AA|SLOW']);
  });

  it('ignores bytes between frames and tolerates a frame without the final CR', async () => {
    const client = await start();
    const noCr = frame(message('A')).subarray(0, -1);
    client.write(
      Buffer.concat([Buffer.from('\r\n  '), noCr, Buffer.from('junk'), frame(message('B'))]),
    );
    expect((await client.waitFor(2)).map(msa)).toEqual(['MSA|AA|A', 'MSA|AA|B']);
  });

  it('answers AR to a frame over the size limit and keeps serving the connection', async () => {
    const client = await start({ maxMessageBytes: 2000 });
    const big = `${message('BIG')}\rNTE|1||${'x'.repeat(5000)}`;
    client.write(frame(big));
    client.write(frame(message('AFTER')));
    const replies = await client.waitFor(2);
    expect(msa(replies[0] ?? '')).toMatch(
      /^MSA\|AR\|BIG\|The message is \d+ bytes; the limit is 2000 bytes/,
    );
    expect(msa(replies[1] ?? '')).toBe('MSA|AA|AFTER');
  });

  it('answers AR when processing outlives the timeout, then serves the next message', async () => {
    // The first message's processing does not finish until the test lets it: both answers must
    // arrive while it is still pending (no wall-clock bound, which a loaded machine can break).
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let pending = false;
    let n = 0;
    const client = await start({
      timeoutMs: 100,
      handle: async (payload) => {
        n += 1;
        if (n === 1) {
          pending = true;
          await gate;
          pending = false;
        }
        return echo()(payload, '');
      },
    });
    client.write(frame(message('LATE')));
    client.write(frame(message('NEXT')));
    const replies = await client.waitFor(2);
    expect(msa(replies[0] ?? '')).toMatch(
      /^MSA\|AR\|LATE\|Processing did not finish within 100 ms/,
    );
    expect(msa(replies[1] ?? '')).toBe('MSA|AA|NEXT');
    expect(pending).toBe(true);
    release();
  });

  it('answers AR and hangs up when a frame stops arriving halfway', async () => {
    const client = await start({ timeoutMs: 100 });
    client.write(frame(message('HALF')).subarray(0, 90));
    const replies = await client.waitFor(1);
    expect(msa(replies[0] ?? '')).toMatch(/^MSA\|AR\|HALF\|The message did not finish arriving/);
    expect(await client.closedWithin(1000)).toBe(true);
  });

  it('answers AR when the handler throws, and keeps the listener up', async () => {
    const errors: unknown[] = [];
    const client = await start({
      handle: async () => {
        throw new Error('boom');
      },
      onError: (e) => errors.push(e),
    });
    client.write(frame(message('X1')));
    expect(msa((await client.waitFor(1))[0] ?? '')).toMatch(/^MSA\|AR\|X1\|/);
    expect(errors).toHaveLength(1);
    const other = await RawClient.connect(listener?.port ?? 0);
    clients.push(other);
    other.write(frame(message('X2')));
    expect(msa((await other.waitFor(1))[0] ?? '')).toMatch(/^MSA\|AR\|X2\|/);
  });

  it('keeps serving other senders while one sender stalls mid-frame', async () => {
    const staller = await start({ timeoutMs: 2000 });
    staller.write(frame(message('STALL')).subarray(0, 20));
    const other = await RawClient.connect(listener?.port ?? 0);
    clients.push(other);
    other.write(frame(message('FINE')));
    expect((await other.waitFor(1, 500)).map(msa)).toEqual(['MSA|AA|FINE']);
  });

  it('sends the replies a sender is waiting for after it half-closes', async () => {
    const client = await start({ handle: echo(50) });
    client.write(frame(message('LAST')));
    client.socket.end();
    expect((await client.waitFor(1)).map(msa)).toEqual(['MSA|AA|LAST']);
  });

  it('talks to the @medplum/hl7 client', async () => {
    listener = await startMllpListener({ port: 0, handle: echo() });
    const client = new Hl7Client({ host: '127.0.0.1', port: listener.port });
    try {
      const reply = await client.sendAndWait(Hl7Message.parse(message('MEDPLUM')), {
        timeoutMs: 2000,
      });
      expect(reply.getSegment('MSA')?.getField(1)?.toString()).toBe('AA');
      expect(reply.getSegment('MSA')?.getField(2)?.toString()).toBe('MEDPLUM');
    } finally {
      await client.close();
    }
  });

  it('refuses to start on a port already in use instead of retrying forever', async () => {
    listener = await startMllpListener({ port: 0, handle: echo() });
    await expect(startMllpListener({ port: listener.port, handle: echo() })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});

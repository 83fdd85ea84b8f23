import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient } from '../../../test/hl7/mllp-client.js';
import { buildAck } from '../parse/ack.js';
import { decodePayload, readMessage, splitMessages } from '../parse/message.js';
import { type MllpListener, NoReply, startMllpListener } from './listener.js';

const message = (id: string) =>
  `MSH|^~\\&|LAB|NORTH|CARELOOP|CL|20240301083000||ADT^A08|${id}|P|2.5.1\rPID|1||${id}^^^NORTH^MR||Doe^Jane||19800101|F`;
const controlId = (payload: Buffer) => {
  const read = readMessage(splitMessages(decodePayload(payload)).messages[0] ?? '');
  return read.ok ? read.message.header : null;
};
const msa = (reply: string) => reply.split('\r').find((s) => s.startsWith('MSA')) ?? '';

describe('the MLLP listener, for a frame that must not be answered (NoReply)', () => {
  let listener: MllpListener | null = null;
  afterEach(async () => {
    await listener?.close(100);
    listener = null;
  });

  it('answers the frames before it, then closes the connection without answering it or any after it', async () => {
    listener = await startMllpListener({
      port: 0,
      handle: async (payload) => {
        const header = controlId(payload);
        if (header?.controlId === 'LOST') throw new NoReply('the database is unavailable');
        return buildAck({ header, code: 'AA' });
      },
    });
    const client = await MllpClient.connect(listener.port);
    const replies = await Promise.allSettled(
      ['FIRST', 'LOST', 'AFTER'].map((id) => client.send(message(id))),
    );
    expect(replies[0]?.status === 'fulfilled' && msa(replies[0].value)).toBe('MSA|AA|FIRST');
    expect(replies.slice(1).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(client.closed).toBe(true);
    expect(listener.stats()).toMatchObject({ unanswered: 1, handlerFailures: 0 });

    // The sender resends on a new connection, and is answered.
    const again = await MllpClient.connect(listener.port);
    expect(msa(await again.send(message('AFTER')))).toBe('MSA|AA|AFTER');
    again.close();
  });
});

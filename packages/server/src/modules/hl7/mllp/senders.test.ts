import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAck } from '../parse/ack.js';
import { decodePayload, readMessage, splitMessages } from '../parse/message.js';
import { frame, MllpFramer } from './framer.js';
import { type MllpListener, type MllpOptions, startMllpListener } from './listener.js';
import {
  describeRefusal,
  type MllpRefusal,
  SenderAllowList,
  senderSettingsFromEnv,
} from './senders.js';

const message = (id: string) =>
  `MSH|^~\\&|LAB|NORTH|CARELOOP|CL|20240301083000||ADT^A08|${id}|P|2.5.1\rPID|1||${id}^^^NORTH^MR||Doe^Jane||19800101|F`;

function echo(delayMs = 0): MllpOptions['handle'] {
  return async (payload) => {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const read = readMessage(splitMessages(decodePayload(payload)).messages[0] ?? '');
    return buildAck({ header: read.ok ? read.message.header : read.header, code: 'AA' });
  };
}

const msa = (reply: string | null) => reply?.split('\r').find((s) => s.startsWith('MSA')) ?? null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A connected socket that records whether (and when, in order) it closed and what came back. */
class Peer {
  readonly replies: string[] = [];
  closed = false;
  private readonly framer = new MllpFramer(1_000_000);
  private readonly waiters: (() => void)[] = [];

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const e of this.framer.push(chunk)) {
        if (e.kind === 'frame') this.replies.push(e.payload.toString('utf8'));
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {
      // A refused or reset connection: 'close' follows.
    });
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `done()` or the timeout; answers `done()`. */
  async until(done: () => boolean, timeoutMs = 3000): Promise<boolean> {
    const timer = sleep(timeoutMs).then(() => 'late' as const);
    while (!done()) {
      const woke = await Promise.race([
        new Promise<'woke'>((r) => this.waiters.push(() => r('woke'))),
        timer,
      ]);
      if (woke === 'late') return done();
    }
    return true;
  }

  /** Sends one message; the MSA of its reply, or null when the connection closed instead. */
  async send(id: string, timeoutMs = 3000): Promise<string | null> {
    const before = this.replies.length;
    if (!this.closed) this.socket.write(frame(message(id)));
    await this.until(() => this.replies.length > before || this.closed, timeoutMs);
    return msa(this.replies[before] ?? null);
  }

  end() {
    this.socket.destroy();
  }
}

/** Waits until `count` of the peers have closed, or the timeout; answers how many have. */
async function whenClosed(peers: Peer[], count: number, timeoutMs: number): Promise<number> {
  let closed = 0;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    for (const peer of peers) {
      void peer
        .until(() => peer.closed, timeoutMs)
        .then((done) => {
          closed += done ? 1 : 0;
          if (closed >= count) {
            clearTimeout(timer);
            resolve();
          }
        });
    }
  });
  return peers.filter((p) => p.closed).length;
}

function connectFrom(port: number, localAddress = '127.0.0.1'): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress }, () =>
      resolve(new Peer(socket)),
    );
    socket.once('error', reject);
  });
}

describe('the MLLP listener and its senders', () => {
  let listener: MllpListener | null = null;
  const peers: Peer[] = [];
  let refusals: MllpRefusal[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) p.end();
    await listener?.close(100);
    listener = null;
    refusals = [];
  });
  const start = async (options: Partial<MllpOptions> = {}) => {
    listener = await startMllpListener({
      port: 0,
      handle: echo(),
      onRefused: (r) => refusals.push(r),
      ...options,
    });
    return listener;
  };
  const connect = async (localAddress?: string) => {
    const peer = await connectFrom(listener?.port ?? 0, localAddress);
    peers.push(peer);
    return peer;
  };

  it('closes a connection that never starts a frame, and one left idle between frames', async () => {
    await start({ idleTimeoutMs: 150 });
    const silent = await connect();
    expect(await silent.until(() => silent.closed, 2000)).toBe(true);
    const sender = await connect();
    expect(await sender.send('FIRST')).toBe('MSA|AA|FIRST');
    expect(await sender.until(() => sender.closed, 2000)).toBe(true);
    expect(listener?.stats().idleClosed).toBe(2);
    expect(refusals).toEqual([
      { reason: 'idle', address: '127.0.0.1', idleMs: 150 },
      { reason: 'idle', address: '127.0.0.1', idleMs: 150 },
    ]);
  });

  it('keeps a connection whose sender keeps sending, and one waiting for its reply', async () => {
    await start({ idleTimeoutMs: 600, handle: echo(1000), timeoutMs: 3000 });
    const sender = await connect();
    // The reply takes longer than the idle timeout: the wait is the listener's, not the sender's.
    expect(await sender.send('SLOW')).toBe('MSA|AA|SLOW');
    for (const id of ['A', 'B', 'C']) {
      await sleep(100);
      expect(await sender.send(id)).toBe(`MSA|AA|${id}`);
    }
    expect(listener?.stats().idleClosed).toBe(0);
  });

  it('gives the slots of 140 idle connections back, so a real sender gets through', async () => {
    // The lock-out of the issue: 140 connections that never send fill the 128 slots.
    await start({ idleTimeoutMs: 4000, maxConnectionsPerAddress: 1000 });
    const idle = await Promise.all(Array.from({ length: 140 }, () => connect()));
    // The listener dropped those past its 128 slots; the others hold them.
    expect(await whenClosed(idle, 12, 3000)).toBeLessThan(20);
    // While they hold every slot, a sender is dropped unanswered.
    const early = await connect('127.0.0.2');
    expect(await early.send('EARLY', 1000)).toBeNull();
    // Once they have been idle past the timeout, their slots are free again.
    expect(await whenClosed(idle, 140, 10_000)).toBe(140);
    const sender = await connect('127.0.0.2');
    expect(await sender.send('REAL')).toBe('MSA|AA|REAL');
  }, 30_000);

  it('caps the connections of one address, and frees its slot when one closes', async () => {
    await start({ maxConnectionsPerAddress: 3 });
    const three = [await connect(), await connect(), await connect()];
    const fourth = await connect();
    expect(await fourth.until(() => fourth.closed, 2000)).toBe(true);
    expect(await fourth.send('FOURTH')).toBeNull();
    expect(refusals[0]).toEqual({ reason: 'too-many-from-address', address: '127.0.0.1', max: 3 });
    // Another sender is not counted against it.
    expect(await (await connect('127.0.0.2')).send('OTHER')).toBe('MSA|AA|OTHER');
    for (const [i, peer] of three.entries()) expect(await peer.send(`K${i}`)).toBe(`MSA|AA|K${i}`);
    three[0]?.end();
    // The listener frees the slot when it sees the close, a moment after the sender.
    let again: string | null = null;
    for (let attempt = 0; attempt < 40 && again === null; attempt += 1) {
      again = await (await connect()).send('AGAIN', 1000);
      if (again === null) await sleep(50);
    }
    expect(again).toBe('MSA|AA|AGAIN');
    expect(listener?.stats().refused).toBe(refusals.length);
  });

  it('with HL7_ALLOW, closes connections from other addresses at once and says so without content', async () => {
    await start({ allow: SenderAllowList.parse('127.0.0.2, 10.0.0.0/8') });
    const stranger = await connect('127.0.0.1');
    expect(await stranger.until(() => stranger.closed, 1000)).toBe(true);
    expect(stranger.replies).toEqual([]);
    expect(await (await connect('127.0.0.2')).send('ALLOWED')).toBe('MSA|AA|ALLOWED');
    expect(refusals).toEqual([{ reason: 'not-allowed', address: '127.0.0.1' }]);
    expect(describeRefusal(refusals[0] ?? { reason: 'not-allowed', address: '' })).toBe(
      'hl7 listener: refused a connection from 127.0.0.1, not in HL7_ALLOW',
    );
  });

  it('reads an allow-list of addresses and ranges, IPv4-mapped addresses included', () => {
    const list = SenderAllowList.parse('10.1.0.0/16,192.0.2.7,fd00::/8');
    expect(list.allows('10.1.200.3')).toBe(true);
    expect(list.allows('::ffff:10.1.200.3')).toBe(true);
    expect(list.allows('192.0.2.7')).toBe(true);
    expect(list.allows('192.0.2.8')).toBe(false);
    expect(list.allows('fd12::1')).toBe(true);
    expect(list.allows('fe80::1')).toBe(false);
    expect(list.allows('')).toBe(false);
    expect(() => SenderAllowList.parse('10.1.0.0/40')).toThrow(/HL7_ALLOW.*"10\.1\.0\.0\/40"/);
    expect(() => SenderAllowList.parse('lab.example.org')).toThrow(/"lab\.example\.org"/);
    expect(() => SenderAllowList.parse(' , ')).toThrow(/lists no address/);
  });

  it('reads its settings from the environment and names the variable that is wrong', async () => {
    expect(await senderSettingsFromEnv({})).toEqual({});
    const settings = await senderSettingsFromEnv({
      HL7_IDLE_TIMEOUT_SECONDS: '30',
      HL7_MAX_CONNECTIONS_PER_ADDRESS: '4',
      HL7_ALLOW: '10.0.0.5',
    });
    expect(settings).toMatchObject({ idleTimeoutMs: 30_000, maxConnectionsPerAddress: 4 });
    expect(settings.allow?.entries).toEqual(['10.0.0.5']);
    await expect(senderSettingsFromEnv({ HL7_IDLE_TIMEOUT_SECONDS: '0' })).rejects.toThrow(
      /HL7_IDLE_TIMEOUT_SECONDS/,
    );
    await expect(senderSettingsFromEnv({ HL7_MAX_CONNECTIONS_PER_ADDRESS: 'x' })).rejects.toThrow(
      /HL7_MAX_CONNECTIONS_PER_ADDRESS/,
    );
    await expect(senderSettingsFromEnv({ HL7_TLS_CERT: '/nowhere.pem' })).rejects.toThrow(
      /HL7_TLS_CERT and HL7_TLS_KEY/,
    );
    await expect(senderSettingsFromEnv({ HL7_TLS_CA: '/nowhere.pem' })).rejects.toThrow(
      /HL7_TLS_CA needs/,
    );
    await expect(
      senderSettingsFromEnv({ HL7_TLS_CERT: '/nowhere.pem', HL7_TLS_KEY: '/nowhere.key' }),
    ).rejects.toThrow(/HL7_TLS_CERT: cannot read \/nowhere\.pem \(ENOENT\)/);
  });
});

const run = promisify(execFile);

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made by openssl. */
async function makeCertificates(dir: string): Promise<Record<string, Buffer>> {
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const subject = (cn: string) => ['-subj', `/CN=${cn}`];
  const key = ['-newkey', 'rsa:2048', '-nodes'];
  await openssl(
    'req',
    '-x509',
    ...key,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    ...subject('Test CA'),
  );
  await openssl(
    'req',
    '-x509',
    ...key,
    '-keyout',
    'rogue.key',
    '-out',
    'rogue.crt',
    '-days',
    '2',
    ...subject('Lab Engine'),
  );
  await writeFile(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, cn, ext] of [
    ['server', '127.0.0.1', ['-extfile', 'san.ext']],
    ['client', 'Lab Engine', []],
  ] as const) {
    await openssl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, ...subject(cn));
    await openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      ...ext,
    );
  }
  const files: Record<string, Buffer> = {};
  for (const name of ['ca', 'server', 'client', 'rogue']) {
    files[`${name}.crt`] = await readFile(path.join(dir, `${name}.crt`));
    files[`${name}.key`] = await readFile(path.join(dir, `${name}.key`));
  }
  return files;
}

describe('MLLP over TLS', () => {
  let dir: string;
  let pem: Record<string, Buffer>;
  let listener: MllpListener | null = null;
  let refusals: MllpRefusal[] = [];
  const peers: Peer[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'careloop-mllp-tls-'));
    pem = await makeCertificates(dir);
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(async () => {
    for (const p of peers.splice(0)) p.end();
    await listener?.close(100);
    listener = null;
    refusals = [];
  });

  const file = (name: string): Buffer => {
    const bytes = pem[name];
    if (!bytes) throw new Error(`no ${name}`);
    return bytes;
  };
  const start = async (withCa: boolean) => {
    listener = await startMllpListener({
      port: 0,
      handle: echo(),
      idleTimeoutMs: 1000,
      tls: {
        cert: file('server.crt'),
        key: file('server.key'),
        ...(withCa ? { ca: file('ca.crt') } : {}),
      },
      onRefused: (r) => refusals.push(r),
    });
  };
  /** A TLS sender trusting the test CA, with a client certificate or none. */
  const connectTls = (client: 'client' | 'rogue' | null): Promise<Peer> =>
    new Promise((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: listener?.port ?? 0,
        ca: file('ca.crt'),
        ...(client ? { cert: file(`${client}.crt`), key: file(`${client}.key`) } : {}),
      });
      const peer = new Peer(socket);
      peers.push(peer);
      // Resolve once connected, or once refused (TLS 1.3 refuses a client after its handshake).
      socket.once('secureConnect', () => resolve(peer));
      socket.once('close', () => resolve(peer));
    });

  it('serves senders over TLS, and answers nothing to plain TCP', async () => {
    await start(false);
    const sender = await connectTls(null);
    expect(await sender.send('OVER-TLS')).toBe('MSA|AA|OVER-TLS');
    const plain = await connectFrom(listener?.port ?? 0);
    peers.push(plain);
    expect(await plain.send('PLAIN', 2000)).toBeNull();
    expect(plain.closed).toBe(true);
  });

  it('with HL7_TLS_CA, serves a sender with a certificate it signed and refuses the others', async () => {
    await start(true);
    expect(await (await connectTls('client')).send('SIGNED')).toBe('MSA|AA|SIGNED');
    const anonymous = await connectTls(null);
    expect(await anonymous.send('ANONYMOUS', 2000)).toBeNull();
    expect(anonymous.closed).toBe(true);
    const rogue = await connectTls('rogue');
    expect(await rogue.send('ROGUE', 2000)).toBeNull();
    expect(rogue.closed).toBe(true);
    expect(listener?.stats().frames).toBe(1);
    expect(refusals).toMatchObject([
      {
        reason: 'tls-handshake',
        address: '127.0.0.1',
        code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE',
      },
      { reason: 'tls-handshake' },
    ]);
  });

  it('reads the certificate files named by HL7_TLS_CERT, HL7_TLS_KEY and HL7_TLS_CA', async () => {
    const settings = await senderSettingsFromEnv({
      HL7_TLS_CERT: path.join(dir, 'server.crt'),
      HL7_TLS_KEY: path.join(dir, 'server.key'),
      HL7_TLS_CA: path.join(dir, 'ca.crt'),
    });
    expect(settings.tls?.cert.equals(file('server.crt'))).toBe(true);
    expect(settings.tls?.ca?.equals(file('ca.crt'))).toBe(true);
    listener = await startMllpListener({ ...settings, port: 0, handle: echo() });
    expect(listener.tls).toBe(true);
    expect(await (await connectTls('client')).send('FROM-ENV')).toBe('MSA|AA|FROM-ENV');
    expect(await (await connectTls(null)).send('NO-CERT', 2000)).toBeNull();
  });
});

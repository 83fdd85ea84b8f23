import net from 'node:net';
import tls from 'node:tls';
import { buildAck, HL7_ERROR } from '../parse/ack.js';
import {
  bestEffortControlId,
  decodePayload,
  MAX_MESSAGE_BYTES,
  readMessage,
  splitMessages,
} from '../parse/message.js';
import { frame, MllpFramer } from './framer.js';
import {
  ConnectionsPerAddress,
  type MllpRefusal,
  type MllpSenderSettings,
  plainAddress,
} from './senders.js';

/**
 * The MLLP listener: TCP, one reply frame per received frame, in order, on every connection.
 * It never lets one sender's bad input hurt the process or other senders: every frame is
 * bounded in size (larger ones are discarded as they stream in and answered AR) and in time
 * (a frame that does not finish arriving, or whose processing does not finish, within the
 * timeout is answered AR), each connection has a bounded number of frames in flight (it stops
 * reading until replies catch up), and no error escapes a connection. Who may connect, and for
 * how long a connection may stay idle, is in mllp-senders.ts.
 */

/**
 * Thrown by a handler for a frame that must get no reply at all (not even an AR): its outcome
 * is unknown, or it could not be committed (the database is away). The listener then closes
 * the connection after the replies before it, without answering this frame or any later one,
 * and the sender, which has no ACK, resends them on a new connection.
 */
export class NoReply extends Error {
  override readonly name = 'NoReply';

  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

export interface MllpOptions extends MllpSenderSettings {
  port: number;
  host?: string;
  /**
   * The reply to one frame's payload. A throw or a late answer becomes an AR, except a
   * `NoReply`, which closes the connection unanswered.
   */
  handle(payload: Buffer, peer: string): Promise<string>;
  maxMessageBytes?: number;
  /** How long a frame may take to arrive, and then to be processed. */
  timeoutMs?: number;
  maxConnections?: number;
  /** Frames read ahead of their replies, per connection. */
  maxInFlight?: number;
  /** Told about failures that are not the sender's (a handler that threw). No message text. */
  onError?(error: unknown): void;
  /** Told about each connection the listener refused or closed itself. No message text. */
  onRefused?(refusal: MllpRefusal): void;
}

/** Defaults of the sender settings (docs/hl7.md). */
export const MLLP_IDLE_TIMEOUT_MS = 60_000;
export const MLLP_MAX_CONNECTIONS_PER_ADDRESS = 16;

export interface MllpStats {
  connections: number;
  frames: number;
  rejectedOversize: number;
  timedOut: number;
  handlerFailures: number;
  /** Connections refused (allow-list, cap per address) or closed after a failed TLS handshake. */
  refused: number;
  /** Connections closed after the idle timeout, with no frame arriving and no reply pending. */
  idleClosed: number;
  /** Frames left unanswered (`NoReply`), their connections closed. */
  unanswered: number;
}

export interface MllpListener {
  host: string;
  port: number;
  /** MLLP over TLS (HL7_TLS_CERT). */
  tls: boolean;
  stats(): MllpStats;
  /** Stops accepting, lets replies in flight finish (up to `drainMs`), then closes every socket. */
  close(drainMs?: number): Promise<void>;
}

/** An AR for a frame that was not processed, naming its control id when it can be read. */
export function rejectionReply(head: Buffer, text: string): string {
  const payload = decodePayload(head);
  const first = splitMessages(payload).messages[0] ?? '';
  const read = readMessage(first);
  const header = read.ok ? read.message.header : read.header;
  return buildAck({
    header,
    controlId: header ? undefined : bestEffortControlId(first),
    code: 'AR',
    error: { code: HL7_ERROR.internalError, text, location: null },
  });
}

function withTimeout<T>(work: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

interface Connection {
  socket: net.Socket;
  /** Resolves when every reply queued so far has been written. */
  tail: Promise<void>;
}

export function startMllpListener(options: MllpOptions): Promise<MllpListener> {
  const maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxInFlight = options.maxInFlight ?? 32;
  const connections = new Set<Connection>();
  const stats: MllpStats = {
    connections: 0,
    frames: 0,
    rejectedOversize: 0,
    timedOut: 0,
    handlerFailures: 0,
    refused: 0,
    idleClosed: 0,
    unanswered: 0,
  };
  const idleTimeoutMs = options.idleTimeoutMs ?? MLLP_IDLE_TIMEOUT_MS;
  const perAddress = new ConnectionsPerAddress(
    options.maxConnectionsPerAddress ?? MLLP_MAX_CONNECTIONS_PER_ADDRESS,
  );
  const refuse = (refusal: MllpRefusal) => {
    stats.refused += 1;
    options.onRefused?.(refusal);
  };

  /** Before anything is read (before TLS too): the allow-list and the cap per address. */
  function admit(raw: net.Socket): boolean {
    const address = plainAddress(raw.remoteAddress ?? '');
    if (options.allow && !options.allow.allows(address)) {
      refuse({ reason: 'not-allowed', address });
      raw.destroy();
      return false;
    }
    if (!perAddress.take(address)) {
      refuse({ reason: 'too-many-from-address', address, max: perAddress.max });
      raw.destroy();
      return false;
    }
    raw.once('close', () => perAddress.release(address));
    return true;
  }

  function serve(socket: net.Socket): void {
    stats.connections += 1;
    // A peer that vanished without closing (a rebooted engine, a dropped VPN) is found by TCP
    // keepalive and its slot among maxConnections freed, also when the idle timeout is long.
    socket.setKeepAlive(true, 60_000);
    const peer = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
    const framer = new MllpFramer(maxBytes);
    const connection: Connection = { socket, tail: Promise.resolve() };
    connections.add(connection);
    let inFlight = 0;
    let paused = false;
    let frameTimer: { timer: NodeJS.Timeout; frame: number } | null = null;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    // An idle sender gives its slot back: no byte for idleTimeoutMs, before the first frame or
    // between frames, closes the connection (a frame that stops halfway has its own timer, and
    // replies still being prepared are the listener's wait, not the sender's).
    socket.setTimeout(idleTimeoutMs);
    socket.on('timeout', () => {
      if (framer.inFrame || inFlight > 0) return;
      stats.idleClosed += 1;
      options.onRefused?.({
        reason: 'idle',
        address: plainAddress(socket.remoteAddress ?? ''),
        idleMs: idleTimeoutMs,
      });
      socket.destroy();
    });

    /** A frame was left unanswered: nothing more is read, written or answered here. */
    let hangingUp = false;
    const hangUp = () => {
      hangingUp = true;
      socket.end(() => socket.destroy());
    };

    const send = (reply: Promise<string | null>) => {
      inFlight += 1;
      if (inFlight >= maxInFlight && !paused) {
        paused = true;
        socket.pause();
      }
      connection.tail = connection.tail
        .then(() => reply)
        .then((text) => {
          if (text === null) {
            if (!hangingUp) hangUp();
          } else if (!hangingUp && !socket.destroyed && socket.writable) {
            socket.write(frame(text));
          }
        })
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => {
          inFlight -= 1;
          if (paused && inFlight < maxInFlight / 2) {
            paused = false;
            socket.resume();
          }
        });
    };

    const dispatch = (payload: Buffer) => {
      stats.frames += 1;
      let work: Promise<string>;
      try {
        work = options.handle(payload, peer);
      } catch (error) {
        work = Promise.reject(error);
      }
      const guarded = work.catch((error: unknown): string | null => {
        if (error instanceof NoReply) {
          stats.unanswered += 1;
          options.onError?.(error);
          return null;
        }
        stats.handlerFailures += 1;
        options.onError?.(error);
        return rejectionReply(payload, 'The message could not be processed; resend it later');
      });
      send(
        withTimeout(guarded, timeoutMs, () => {
          stats.timedOut += 1;
          return rejectionReply(
            payload,
            `Processing did not finish within ${timeoutMs} ms; resend it later`,
          );
        }),
      );
    };

    const watchFrame = () => {
      if (!framer.inFrame) {
        if (frameTimer) clearTimeout(frameTimer.timer);
        frameTimer = null;
        return;
      }
      if (frameTimer?.frame === framer.frameNumber) return;
      if (frameTimer) clearTimeout(frameTimer.timer);
      const number = framer.frameNumber;
      frameTimer = {
        frame: number,
        timer: setTimeout(() => {
          if (!framer.inFrame || framer.frameNumber !== number) return;
          // The sender started a frame and stopped: answer what we can, then hang up, since
          // whatever it sends next can no longer be told apart from the rest of that frame.
          stats.timedOut += 1;
          send(
            Promise.resolve(
              rejectionReply(
                framer.partialHead(),
                `The message did not finish arriving within ${timeoutMs} ms`,
              ),
            ),
          );
          void connection.tail.then(() => socket.end());
        }, timeoutMs),
      };
      frameTimer.timer.unref();
    };

    socket.on('data', (chunk: Buffer) => {
      if (hangingUp) return;
      for (const event of framer.push(chunk)) {
        if (event.kind === 'frame') {
          dispatch(event.payload);
        } else {
          stats.rejectedOversize += 1;
          send(
            Promise.resolve(
              rejectionReply(
                event.head,
                `The message is ${event.size} bytes; the limit is ${maxBytes} bytes`,
              ),
            ),
          );
        }
      }
      watchFrame();
    });
    // The sender may half-close after its last message and still wait for the replies.
    socket.on('end', () => {
      void connection.tail.then(() => socket.end());
    });
    socket.on('error', () => {
      // A reset or a broken pipe ends this connection only; 'close' follows.
    });
    socket.on('close', () => {
      if (frameTimer) clearTimeout(frameTimer.timer);
      connections.delete(connection);
    });
  }

  // TLS, when configured, starts after admit(): a refused sender costs no handshake.
  let secure: tls.Server | null = null;
  if (options.tls) {
    const requireClientCert = options.tls.ca !== undefined;
    secure = tls.createServer(
      {
        cert: options.tls.cert,
        key: options.tls.key,
        ...(options.tls.ca ? { ca: options.tls.ca } : {}),
        requestCert: requireClientCert,
        rejectUnauthorized: requireClientCert,
        allowHalfOpen: true,
        handshakeTimeout: idleTimeoutMs,
      },
      serve,
    );
    secure.on('tlsClientError', (error: Error & { code?: string }, socket) => {
      // No certificate, one the CA did not sign (the sender hangs up: ECONNRESET), plain TCP,
      // or a handshake that did not finish within the idle timeout.
      refuse({
        reason: 'tls-handshake',
        address: plainAddress(socket.remoteAddress ?? 'unknown'),
        code: error.code ?? error.name,
      });
      socket.destroy();
    });
  }
  const server = net.createServer({ allowHalfOpen: true });
  server.on('connection', (socket: net.Socket) => {
    if (!admit(socket)) return;
    if (secure) secure.emit('connection', socket);
    else serve(socket);
  });
  server.maxConnections = options.maxConnections ?? 128;
  return new Promise<MllpListener>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host ?? '127.0.0.1' }, () => {
      server.off('error', reject);
      server.on('error', (error) => options.onError?.(error));
      const address = server.address() as net.AddressInfo;
      resolve({
        host: address.address,
        port: address.port,
        tls: secure !== null,
        stats: () => ({ ...stats }),
        close: async (drainMs = 5000) => {
          const closed = new Promise<void>((done) => server.close(() => done()));
          const drained = Promise.all([...connections].map((c) => c.tail));
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            drained,
            new Promise<void>((done) => {
              timer = setTimeout(done, drainMs);
            }),
          ]);
          clearTimeout(timer);
          for (const c of connections) c.socket.destroy();
          await closed;
        },
      });
    });
  });
}

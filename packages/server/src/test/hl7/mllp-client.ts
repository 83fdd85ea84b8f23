import net from 'node:net';
import { frame, MllpFramer } from '../../modules/hl7/mllp/framer.js';

/**
 * A minimal MLLP sender for tests, benchmarks and tools: frames out, replies matched to
 * requests in order (an MLLP peer answers in order). Several sends may be in flight.
 */
export class MllpClient {
  private readonly framer = new MllpFramer(64 * 1024 * 1024);
  private readonly waiting: { resolve(reply: string): void; reject(error: Error): void }[] = [];
  private closedError: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const event of this.framer.push(chunk)) {
        const next = this.waiting.shift();
        if (event.kind === 'frame') next?.resolve(event.payload.toString('utf8'));
        else next?.reject(new Error('reply too large'));
      }
    });
    const fail = (error: Error) => {
      this.closedError ??= error;
      for (const w of this.waiting.splice(0)) w.reject(this.closedError);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<MllpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new MllpClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends one payload (a message or a batch) and resolves with the reply frame's text. */
  send(text: string | Buffer): Promise<string> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(typeof text === 'string' ? frame(text) : text);
    });
  }

  /** Writes raw bytes (already framed, or deliberately not). */
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next reply, for raw writes. */
  next(): Promise<string> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  close(): void {
    this.socket.destroy();
  }
}

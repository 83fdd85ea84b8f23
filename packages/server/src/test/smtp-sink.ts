import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the sink received it. */
export interface SunkMessage {
  to: string[];
  /** The envelope sender (MAIL FROM): where bounces go; null for `<>`. */
  from: string | null;
  messageId: string | null;
  subject: string | null;
  raw: string;
}

/**
 * A real SMTP server on loopback for tests (smtp-server): it keeps every message it accepts,
 * and refuses recipients `refuse` names with the given reply code.
 */
export class SmtpSink {
  readonly messages: SunkMessage[] = [];
  /** How long the sink takes to accept each message (a slow server). */
  delayMs = 0;
  /** Recipient → SMTP reply code to refuse it with (451: try later; 550: never). */
  readonly refuse = new Map<string, number>();
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<SmtpSink> {
    let sink: SmtpSink | null = null;
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        const code = sink?.refuse.get(address.address);
        if (code) {
          callback(Object.assign(new Error('refused by the test sink'), { responseCode: code }));
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const header = (name: string) =>
            new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(raw)?.[1]?.trim() ?? null;
          sink?.messages.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null,
            messageId: header('Message-ID'),
            subject: header('Subject'),
            raw,
          });
          for (const wake of sink?.waiters.splice(0) ?? []) wake();
          setTimeout(callback, sink?.delayMs ?? 0);
        });
      },
    });
    server.on('error', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    sink = new SmtpSink(server, port);
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves once the sink holds at least `count` messages to `to`. */
  async waitFor(to: string, count = 1, timeoutMs = 20_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.to(to).length < count) {
      if (performance.now() > deadline) {
        throw new Error(`the sink received ${this.to(to).length} of ${count} messages`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** The messages received for `address`. */
  to(address: string): SunkMessage[] {
    return this.messages.filter((m) => m.to.includes(address));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

import { CR, FS, VT } from '@medplum/hl7';

/**
 * The MLLP frame reader: `<VT> payload <FS><CR>`. `@medplum/hl7`'s connection reads a frame only
 * when a network chunk happens to end in FS CR, so two pipelined messages in one chunk become
 * one garbled payload, and it buffers without limit; this reader is a small state machine over
 * any chunking, with a size bound. Bytes outside a frame are ignored; a VT inside a frame starts
 * a new one (the sender gave up on the old); a missing CR after FS is tolerated.
 */
export type FrameEvent =
  | { kind: 'frame'; payload: Buffer }
  /** A frame over the size limit: its first bytes (to name it in the rejection) and its size. */
  | { kind: 'oversize'; head: Buffer; size: number };

/** Bytes of an oversize frame kept to read its header from. */
const HEAD_BYTES = 4096;

export class MllpFramer {
  private state: 'idle' | 'frame' | 'discard' | 'after-fs' = 'idle';
  private parts: Buffer[] = [];
  private size = 0;
  private head: Buffer = Buffer.alloc(0);
  /** Increases with every frame started, so a timer can tell whether "its" frame is still open. */
  frameNumber = 0;

  constructor(private readonly maxBytes: number) {}

  /** Whether a frame has started and not ended. */
  get inFrame(): boolean {
    return this.state === 'frame' || this.state === 'discard';
  }

  /** The bytes received so far of the open frame (up to a few KB), to reject it by name. */
  partialHead(): Buffer {
    if (this.state === 'discard') return this.head;
    return Buffer.concat(this.parts).subarray(0, HEAD_BYTES);
  }

  push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'after-fs') {
        if (chunk[i] === CR) i += 1;
        this.state = 'idle';
        continue;
      }
      if (this.state === 'idle') {
        const vt = chunk.indexOf(VT, i);
        if (vt < 0) break;
        this.begin();
        i = vt + 1;
        continue;
      }
      const fs = chunk.indexOf(FS, i);
      const vt = chunk.indexOf(VT, i);
      if (vt >= 0 && (fs < 0 || vt < fs)) {
        this.begin();
        i = vt + 1;
        continue;
      }
      const end = fs < 0 ? chunk.length : fs;
      this.take(chunk.subarray(i, end));
      if (fs < 0) break;
      events.push(this.finish());
      this.state = 'after-fs';
      i = fs + 1;
    }
    return events;
  }

  private begin(): void {
    this.state = 'frame';
    this.parts = [];
    this.size = 0;
    this.head = Buffer.alloc(0);
    this.frameNumber += 1;
  }

  private take(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.size += bytes.length;
    if (this.state === 'discard') return;
    if (this.size > this.maxBytes) {
      this.head = Buffer.concat([...this.parts, bytes]).subarray(0, HEAD_BYTES);
      this.parts = [];
      this.state = 'discard';
      return;
    }
    this.parts.push(bytes);
  }

  private finish(): FrameEvent {
    if (this.state === 'discard') {
      const event: FrameEvent = { kind: 'oversize', head: this.head, size: this.size };
      this.head = Buffer.alloc(0);
      return event;
    }
    const payload = Buffer.concat(this.parts);
    this.parts = [];
    return { kind: 'frame', payload };
  }
}

/** A payload framed for MLLP (text is sent as UTF-8). */
export function frame(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const out = Buffer.allocUnsafe(body.length + 3);
  out[0] = VT;
  body.copy(out, 1);
  out[body.length + 1] = FS;
  out[body.length + 2] = CR;
  return out;
}

import cliProgress from 'cli-progress';
import { formatCount } from './output.js';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * Progress on stderr: a bar on a terminal; otherwise (a pipe, a log file, `--json`) a plain
 * line every few seconds, so logs stay readable. The clock starts at the first report (the
 * work's own start), not when the reporter is made.
 */
export function progress(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  label: string,
  unit: string,
  options: { json: boolean; everyMs?: number },
): Progress {
  let started: number | null = null;
  const rate = (done: number) => {
    started ??= performance.now();
    return Math.round(done / Math.max((performance.now() - started) / 1000, 0.001));
  };
  if (stream.isTTY && !options.json) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${label} {bar} {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let running = false;
    return {
      update(done, total) {
        if (!running) {
          bar.start(total, 0, { rate: 0 });
          running = true;
        }
        bar.update(done, { rate: formatCount(rate(done)) });
      },
      stop() {
        if (running) bar.stop();
        running = false;
      },
    };
  }
  const everyMs = options.everyMs ?? 5000;
  let last: number | null = null;
  return {
    update(done, total) {
      const perSecond = rate(done);
      const now = performance.now();
      last ??= now;
      if (done === 0 || (done < total && now - last < everyMs)) return;
      last = now;
      stream.write(
        `${label}: ${formatCount(done)}/${formatCount(total)} ${unit} (${formatCount(perSecond)}/s)\n`,
      );
    },
    stop() {},
  };
}

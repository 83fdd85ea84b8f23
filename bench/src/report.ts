/** Output of a benchmark: lines for people on stderr, and with --json one object on stdout's last line. */
export function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

export function finish(json: boolean, result: Record<string, unknown>, lines: string[]): void {
  if (json) {
    for (const line of lines) say(line);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Samples this process's resident set size every 250 ms; `peakMb` is the highest seen. */
export function rssSampler(): { stop(): { peakMb: number; maxRssMb: number } } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 250);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      // The kernel's own high-water mark (KiB), which catches peaks between samples.
      return { peakMb: peak / 1_048_576, maxRssMb: process.resourceUsage().maxRSS / 1024 };
    },
  };
}

import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';

/** One data row of a CSV file: its cells, and its line number for messages. */
export interface CsvRow {
  cells: string[];
  line: number;
}

/**
 * Streams an RFC 4180 CSV file: the header (trimmed names), then each row. Cells are trimmed, as
 * exports pad them (FEBRL writes a space after every comma); a byte-order mark is skipped; blank
 * lines are skipped; a row with another number of cells than the header fails with its line.
 */
export async function readCsv(
  path: string,
): Promise<{ header: string[]; rows: AsyncGenerator<CsvRow> }> {
  const source = createReadStream(path);
  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, info: true });
  // pipe() does not forward a read error (a missing file): hand it to the parser's reader.
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;
  const first = await records.next();
  const header = first.done ? [] : first.value.record;
  async function* rows(): AsyncGenerator<CsvRow> {
    try {
      while (true) {
        const next = await records.next();
        if (next.done) return;
        yield { cells: next.value.record, line: next.value.info.lines };
      }
    } finally {
      parser.destroy();
    }
  }
  return { header, rows: rows() };
}

/** Writes rows (the header first) to a CSV file, quoting cells as RFC 4180 requires. */
export async function writeCsv(path: string, rows: Iterable<readonly string[]>): Promise<void> {
  await pipeline(Readable.from(rows), stringify(), createWriteStream(path));
}

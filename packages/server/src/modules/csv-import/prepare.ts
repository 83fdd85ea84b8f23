import {
  type AppointmentImportRow,
  badRequest,
  CareloopError,
  type CsvImportRequest,
  CsvSyntaxError,
  checkMapping,
  MAX_IMPORT_BYTES,
  nulRefused,
  type PatientImportRow,
  pathOfNul,
  type ReadFile,
  type RowResult,
  readCsvFile,
  validateAppointmentRows,
  validatePatientRows,
} from '@careloop/core';

/** A file read, mapped and validated, ready to run as a dry run or for real. */
export type PreparedImport = {
  request: CsvImportRequest;
  file: ReadFile;
  sourceSystem: string;
} & (
  | { type: 'patients'; results: RowResult<PatientImportRow>[] }
  | { type: 'appointments'; results: RowResult<AppointmentImportRow>[] }
);

/** Rows validated between two yields to the event loop (about 50 ms of work). */
const VALIDATE_SLICE = 2000;

/**
 * Reads, maps and validates the file; a file or mapping that cannot be used is a 4xx. Rows are
 * validated VALIDATE_SLICE at a time, yielding to the event loop between slices: a 20 MB
 * file (200,000 rows) takes seconds to validate, and the same process answers the API and the
 * HL7 listener, which must not wait that long.
 */
export async function prepareImport(
  request: CsvImportRequest,
  /** The import's today: birth dates after it are row errors. */
  asOf: Date,
): Promise<PreparedImport> {
  const nul = pathOfNul(request);
  if (nul === '/text') {
    throw badRequest(
      'The file contains NUL characters (U+0000): it looks saved as UTF-16 or is not a text file. Save it as CSV (UTF-8) and try again',
      '/body/text',
    );
  }
  if (nul !== null) throw nulRefused(`/body${nul}`);
  if (Buffer.byteLength(request.text, 'utf8') > MAX_IMPORT_BYTES) {
    throw new CareloopError(
      'payload_too_large',
      `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it into smaller files`,
      '/body/text',
    );
  }
  let file: ReadFile;
  try {
    file = readCsvFile(request.text, {
      type: request.type,
      ...(request.delimiter ? { delimiter: request.delimiter } : {}),
      ...(request.headerLine ? { headerLine: request.headerLine } : {}),
    });
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw badRequest(error.message, '/body/text');
    throw error;
  }
  const { table } = file;
  if (table.rows.length === 0) {
    throw badRequest('The file has a header row but no data rows', '/body/text');
  }
  const [issue] = checkMapping(request.type, table.columns, request.mapping);
  if (issue) {
    const at = request.mapping.findIndex((m) => m.column === issue.column);
    throw badRequest(issue.message, at >= 0 ? `/body/mapping/${at}` : '/body/mapping');
  }
  const options = { dateOrder: request.dateOrder ?? 'mdy', asOf } as const;
  const sourceSystem = `csv:${request.fileName.trim()}`;
  const inSlices = async <T>(
    validate: (from: number, to: number) => RowResult<T>[],
  ): Promise<RowResult<T>[]> => {
    const results: RowResult<T>[] = [];
    for (let from = 0; from < table.rows.length; from += VALIDATE_SLICE) {
      if (from > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const result of validate(from, from + VALIDATE_SLICE)) results.push(result);
    }
    return results;
  };
  const base = { request, file, sourceSystem };
  return request.type === 'patients'
    ? {
        ...base,
        type: 'patients',
        results: await inSlices((f, t) =>
          validatePatientRows(table, request.mapping, options, f, t),
        ),
      }
    : {
        ...base,
        type: 'appointments',
        results: await inSlices((f, t) =>
          validateAppointmentRows(table, request.mapping, options, f, t),
        ),
      };
}

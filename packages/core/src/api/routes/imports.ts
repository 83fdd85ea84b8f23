import { route } from '../contract.js';
import { CsvImportRequest } from '../imports.js';

const interop = { permission: 'interop:write' } as const;
const tags = ['interop'] as const;
const description =
  'Body: the file as text, its type and column mapping. Answers application/x-ndjson: `{"type":"progress","done","total"}` lines, then `{"type":"result","result"}`. See docs/csv-import.md.';

/**
 * The CSV import. Both answer NDJSON (progress lines, then the result), so neither has a JSON
 * reply: the web reads the stream itself (web/src/imports/api.ts).
 */
export const csvImportRoutes = {
  preview: route({
    method: 'POST',
    path: '/api/imports/csv/preview',
    policy: interop,
    tags,
    summary:
      'Dry run: validate every row and say what the import would do to each; nothing is kept',
    description,
    body: CsvImportRequest,
  }),
  commit: route({
    method: 'POST',
    path: '/api/imports/csv/commit',
    policy: interop,
    tags,
    summary: 'Import the rows, a chunk per transaction, reporting progress as it goes',
    description,
    body: CsvImportRequest,
  }),
};

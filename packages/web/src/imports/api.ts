import { type CsvImportEvent, type CsvImportResult, type RouteBody, routes } from '@careloop/core';
import { useContext } from 'react';
import { ApiError, type ClientProblem, urlOf } from '../api/client';
import { SessionContext } from '../auth/session';

export type ImportMode = 'preview' | 'commit';

/** Progress of a running import: rows done of the total. */
export type OnProgress = (done: number, total: number) => void;

async function problemOf(response: Response): Promise<ClientProblem> {
  try {
    const body = (await response.json()) as Partial<ClientProblem>;
    if (typeof body.message === 'string' && typeof body.code === 'string') {
      return {
        status: response.status,
        code: body.code,
        message: body.message,
        ...(body.path ? { path: body.path } : {}),
      };
    }
  } catch {
    // Not JSON: fall through to the status text.
  }
  return {
    status: response.status,
    code: 'http_error',
    message: response.statusText || 'Request failed',
  };
}

/**
 * Sends the file to the preview (dry run) or commit route and reads its NDJSON answer line by
 * line: progress as chunks finish, then the result. Throws an ApiError with the server's
 * problem when the request is refused or the import stops. Not through `api.call`: it reads a
 * stream, not one JSON reply; the route and its body still come from the table.
 */
export async function runImport(
  mode: ImportMode,
  body: RouteBody<typeof routes.csvImport.preview>,
  csrfToken: string,
  onProgress: OnProgress,
): Promise<CsvImportResult> {
  let response: Response;
  try {
    const spec = routes.csvImport[mode];
    response = await fetch(urlOf(spec, {}), {
      method: spec.method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/x-ndjson',
        'content-type': 'application/json',
        'x-csrf-token': csrfToken,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError({
      status: 0,
      code: 'network_error',
      message: 'Could not reach Careloop. Check your connection and try again.',
    });
  }
  if (!response.ok || !response.body) throw new ApiError(await problemOf(response));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  let result: CsvImportResult | null = null;
  const handle = (line: string) => {
    if (line.trim() === '') return;
    const event = JSON.parse(line) as CsvImportEvent;
    if (event.type === 'progress') onProgress(event.done, event.total);
    else if (event.type === 'result') result = event.result;
    else throw new ApiError(event.problem);
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += value;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) handle(line);
  }
  handle(buffered);
  if (!result) {
    throw new ApiError({
      status: 0,
      code: 'network_error',
      message: 'The import stopped before it finished; check the counts and try again.',
    });
  }
  return result;
}

/** The signed-in session's CSRF token, for the streamed requests the JSON client does not make. */
export function useCsrfToken(): string {
  const info = useContext(SessionContext);
  if (!info) throw new Error('useCsrfToken used outside a signed-in route');
  return info.csrfToken;
}

import { type FhirHttpRequest, readFhirAnswer } from '@careloop/core';

/** Answer bytes kept at most: an Appointment or an OperationOutcome is a few kilobytes. */
const MAX_REPLY_BYTES = 256 * 1024;

/** The EHR's FHIR server (EHR_FHIR_BASE) and the bearer token it takes (EHR_FHIR_TOKEN). */
export interface FhirEndpoint {
  base: string;
  token: string | null;
}

/**
 * A request the EHR's FHIR server did not take. Its message names a code only (it may be
 * logged); the EHR's text (an OperationOutcome's diagnostics), which could name the patient, is
 * kept apart for the outbox row and the booking request (`reason`).
 */
export class FhirSendError extends Error {
  constructor(
    readonly code: string,
    /** The EHR refused the content (4xx, or an Appointment it answered cancelled). */
    readonly permanent: boolean,
    readonly reason: string | null = null,
  ) {
    super(`fhir not sent: ${code}`);
    this.name = 'FhirSendError';
  }
}

/** The body, at most `MAX_REPLY_BYTES`, as JSON; null when empty, too large or not JSON. */
async function jsonOf(response: Response): Promise<unknown> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length === 0 || bytes.length > MAX_REPLY_BYTES) return null;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    // Not JSON (an HTML error page from a proxy): judged by its status alone.
    return null;
  }
}

/**
 * Sends one request to the EHR's FHIR server and reads its answer (core `readFhirAnswer`):
 * accepted resolves with the Appointment's id (the filler id); a refusal is a permanent
 * `FhirSendError`; 5xx, 408, 429, a timeout or no connection a transient one (the outbox
 * retries with backoff until the EHR answers).
 */
export async function sendFhir(
  endpoint: FhirEndpoint,
  request: FhirHttpRequest,
  options: { timeoutMs?: number } = {},
): Promise<{ fillerId: string | null; status: number }> {
  const url = `${endpoint.base.replace(/\/+$/, '')}/${request.path}`;
  const headers: Record<string, string> = {
    accept: 'application/fhir+json',
    'content-type': 'application/fhir+json',
  };
  if (request.ifNoneExist) headers['if-none-exist'] = request.ifNoneExist;
  if (endpoint.token) headers.authorization = `Bearer ${endpoint.token}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method,
      headers,
      body: JSON.stringify(request.body),
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    const code =
      error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'connection failed';
    throw new FhirSendError(code, false);
  }
  let body: unknown;
  try {
    body = await jsonOf(response);
  } catch {
    // The connection dropped while the answer was read: as if there had been none.
    throw new FhirSendError('answer cut off', false);
  }
  const verdict = readFhirAnswer(response.status, body, request.refuseStatuses);
  switch (verdict.kind) {
    case 'accepted':
      return { fillerId: verdict.id, status: response.status };
    case 'refused':
      throw new FhirSendError(`refused (HTTP ${response.status})`, true, verdict.reason);
    case 'retry':
      throw new FhirSendError(`not taken now (HTTP ${response.status})`, false, verdict.reason);
  }
}

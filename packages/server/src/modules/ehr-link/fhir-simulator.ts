import http from 'node:http';

/**
 * Issue 13 (h13f): a stand-in for an EHR's FHIR R4 server, for tests and demos of
 * EHR_FHIR_BASE: `POST`, `PUT` and `GET` of Appointment (conditional create by `If-None-Exist`,
 * conditional update and search by `identifier`), over loopback HTTP. It books by the rules of
 * the MLLP simulator: a practitioner's time another appointment holds is refused (409 "Slot
 * taken"), and patterns tested against the request's JSON refuse it (`error`: 422), decline it
 * (`decline`: kept and answered `cancelled`) or ask for it again later (`refuse`,
 * `refuseFirst`: 503). What it keeps is in memory.
 */
export interface FhirSimulatorRules {
  /** Refused for good: 422 with an OperationOutcome. */
  error?: RegExp;
  /** Taken and declined: the Appointment is kept, answered with status `cancelled`. */
  decline?: RegExp;
  /** Not now: 503 (the sender tries again). */
  refuse?: RegExp;
  /** 503 to the first N writes, then answers: an EHR that was down for a while. */
  refuseFirst?: number;
}

/** What the simulated EHR received and how it answered (for tests and the demo's log). */
export interface FhirReceipt {
  method: string;
  path: string;
  status: number;
  /** The Appointment's id when the answer carried one. */
  id: string | null;
  /** The request body as received (the sender's data). */
  body: string;
  authorization: string | null;
  ifNoneExist: string | null;
}

export interface FhirSimulator {
  host: string;
  port: number;
  /** `http://host:port/fhir/R4`: the value for EHR_FHIR_BASE. */
  base: string;
  received: FhirReceipt[];
  /** The Appointments it keeps, by id. */
  appointments: Map<string, StoredAppointment>;
  close(): Promise<void>;
}

export interface StoredAppointment {
  resourceType: 'Appointment';
  id: string;
  status: string;
  identifier?: { system?: string; value?: string }[];
  start?: string;
  end?: string;
  participant?: {
    actor?: { reference?: string; type?: string; identifier?: { value?: string } };
  }[];
  [key: string]: unknown;
}

const MAX_BODY_BYTES = 1024 * 1024;
const PREFIX = '/fhir/R4/';
const LIVE = (status: string) => status !== 'cancelled' && status !== 'entered-in-error';

function outcome(code: string, diagnostics: string) {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code, diagnostics }],
  };
}

/** The practitioner an Appointment names: its reference, else its identifier's value. */
function practitionerOf(a: StoredAppointment): string | null {
  for (const p of a.participant ?? []) {
    const actor = p.actor;
    if (!actor) continue;
    if (actor.reference?.startsWith('Practitioner/')) return actor.reference;
    if (actor.type === 'Practitioner') return actor.reference ?? actor.identifier?.value ?? null;
  }
  return null;
}

/** `identifier=system|value` (or `value` alone) as a test of an Appointment. */
function identifierMatch(search: string): ((a: StoredAppointment) => boolean) | null {
  const params = new URLSearchParams(search);
  const wanted = params.get('identifier');
  if (!wanted) return null;
  const bar = wanted.indexOf('|');
  const system = bar < 0 ? null : wanted.slice(0, bar);
  const value = bar < 0 ? wanted : wanted.slice(bar + 1);
  return (a) =>
    (a.identifier ?? []).some(
      (i) => i.value === value && (system === null || (i.system ?? '') === system),
    );
}

async function bodyOf(req: http.IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFhirSimulator(options: {
  port: number;
  host?: string;
  rules?: FhirSimulatorRules;
  /** When set, every request must carry `Authorization: Bearer <token>` (else 401). */
  token?: string | null;
  onReceipt?: (receipt: FhirReceipt) => void;
}): Promise<FhirSimulator> {
  const rules = options.rules ?? {};
  const received: FhirReceipt[] = [];
  const appointments = new Map<string, StoredAppointment>();
  let writes = 0;
  let nextId = 1001;

  const taken = (candidate: StoredAppointment, except: string | null): boolean => {
    const practitioner = practitionerOf(candidate);
    if (!practitioner || !candidate.start || !candidate.end) return false;
    const start = Date.parse(candidate.start);
    const end = Date.parse(candidate.end);
    for (const other of appointments.values()) {
      if (other.id === except || !LIVE(other.status) || !other.start || !other.end) continue;
      if (practitionerOf(other) !== practitioner) continue;
      if (start < Date.parse(other.end) && Date.parse(other.start) < end) return true;
    }
    return false;
  };

  /** Applies a create or an update by the rules: the status and the resource answered. */
  const write = (
    text: string,
    resource: StoredAppointment,
    existing: StoredAppointment | null,
  ): { status: number; answer: unknown } => {
    if (rules.refuse?.test(text) || writes < (rules.refuseFirst ?? 0)) {
      writes += 1;
      return { status: 503, answer: outcome('transient', 'Busy, send again later') };
    }
    writes += 1;
    if (rules.error?.test(text)) {
      return { status: 422, answer: outcome('business-rule', 'Refused by the simulated EHR') };
    }
    const stored: StoredAppointment = { ...resource, id: existing?.id ?? '' };
    if (LIVE(resource.status)) {
      if (taken(stored, existing?.id ?? null)) {
        return { status: 409, answer: outcome('conflict', 'Slot taken') };
      }
      // The EHR books what it takes; one it declines is kept cancelled.
      stored.status = rules.decline?.test(text) ? 'cancelled' : 'booked';
    }
    if (!existing) stored.id = `apt-${nextId++}`;
    appointments.set(stored.id, stored);
    return { status: existing ? 200 : 201, answer: stored };
  };

  const handle = async (
    req: http.IncomingMessage,
    url: URL,
  ): Promise<{ status: number; answer: unknown; text: string }> => {
    const method = req.method ?? 'GET';
    if (!url.pathname.startsWith(PREFIX)) {
      return { status: 404, answer: outcome('not-found', 'Not a FHIR path'), text: '' };
    }
    const [type, id, ...rest] = url.pathname.slice(PREFIX.length).split('/');
    if (type !== 'Appointment' || rest.length > 0) {
      return { status: 404, answer: outcome('not-supported', 'Only Appointment'), text: '' };
    }
    if (method === 'GET') {
      if (id) {
        const found = appointments.get(id);
        return found
          ? { status: 200, answer: found, text: '' }
          : { status: 404, answer: outcome('not-found', 'No such Appointment'), text: '' };
      }
      const match = identifierMatch(url.search) ?? (() => true);
      const entries = [...appointments.values()].filter(match).map((resource) => ({ resource }));
      return {
        status: 200,
        answer: {
          resourceType: 'Bundle',
          type: 'searchset',
          total: entries.length,
          entry: entries,
        },
        text: '',
      };
    }
    if (method !== 'POST' && method !== 'PUT') {
      return { status: 405, answer: outcome('not-supported', 'Method not allowed'), text: '' };
    }
    const text = await bodyOf(req);
    if (text === null) return { status: 413, answer: outcome('too-costly', 'Too large'), text: '' };
    let resource: StoredAppointment;
    try {
      const parsed: unknown = JSON.parse(text);
      if (
        typeof parsed !== 'object' ||
        parsed === null ||
        (parsed as { resourceType?: unknown }).resourceType !== 'Appointment' ||
        typeof (parsed as { status?: unknown }).status !== 'string'
      ) {
        throw new Error('not an Appointment');
      }
      resource = parsed as StoredAppointment;
    } catch {
      return { status: 400, answer: outcome('structure', 'Not an Appointment'), text };
    }
    if (method === 'POST') {
      if (id) return { status: 405, answer: outcome('not-supported', 'POST to the type'), text };
      // Conditional create: an Appointment that matches is answered, nothing is created.
      const condition = req.headers['if-none-exist'];
      const match = typeof condition === 'string' ? identifierMatch(condition) : null;
      const found = match ? [...appointments.values()].filter(match) : [];
      if (found.length > 1) {
        return { status: 412, answer: outcome('multiple-matches', 'More than one'), text };
      }
      if (found[0]) return { status: 200, answer: found[0], text };
      return { text, ...write(text, resource, null) };
    }
    // PUT by id, or conditional update by identifier (creates when nothing matches).
    let existing: StoredAppointment | null = null;
    if (id) {
      existing = appointments.get(id) ?? null;
      if (!existing)
        return { status: 404, answer: outcome('not-found', 'No such Appointment'), text };
    } else {
      const match = identifierMatch(url.search);
      if (!match) return { status: 400, answer: outcome('required', 'No condition'), text };
      const found = [...appointments.values()].filter(match);
      if (found.length > 1) {
        return { status: 412, answer: outcome('multiple-matches', 'More than one'), text };
      }
      existing = found[0] ?? null;
    }
    return { text, ...write(text, resource, existing) };
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const authorization = req.headers.authorization ?? null;
    const reply = (status: number, answer: unknown, text: string) => {
      const id =
        typeof answer === 'object' &&
        answer !== null &&
        (answer as { resourceType?: unknown }).resourceType === 'Appointment'
          ? String((answer as { id?: unknown }).id ?? '') || null
          : null;
      const receipt: FhirReceipt = {
        method: req.method ?? 'GET',
        path: `${url.pathname.slice(PREFIX.length)}${url.search}`,
        status,
        id,
        body: text,
        authorization,
        ifNoneExist:
          typeof req.headers['if-none-exist'] === 'string' ? req.headers['if-none-exist'] : null,
      };
      received.push(receipt);
      options.onReceipt?.(receipt);
      res.writeHead(status, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(answer));
    };
    if (options.token && authorization !== `Bearer ${options.token}`) {
      reply(401, outcome('login', 'Bearer token required'), '');
      return;
    }
    handle(req, url).then(
      ({ status, answer, text }) => reply(status, answer, text),
      () => reply(500, outcome('exception', 'The simulator failed'), ''),
    );
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('fhir-simulator: no port');
  const host = options.host ?? '127.0.0.1';
  return {
    host,
    port: address.port,
    base: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/fhir/R4`,
    received,
    appointments,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signInRoutes } from '@careloop/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { api, isApiError } from './client';

/** A loopback server answering each path with the JSON the test gives it. */
let server: Server;
let base = '';
const replies = new Map<string, unknown>();

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(replies.get(path) ?? null));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const realFetch = globalThis.fetch;
  // The client calls same-origin paths, as in the browser: send them to the loopback server.
  vi.stubGlobal('fetch', (path: string, init?: RequestInit) => realFetch(`${base}${path}`, init));
});

afterEach(() => replies.clear());

afterAll(async () => {
  vi.unstubAllGlobals();
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
});

describe('calls by reference (the sign-in page)', () => {
  it('calls the path of the reference and answers the reply', async () => {
    replies.set('/api/auth/session', { session: null, expired: true });
    await expect(api.call(signInRoutes.session)).resolves.toEqual({
      session: null,
      expired: true,
    });
  });

  it('checks the reply against the table entry it refers to, in development builds', async () => {
    replies.set('/api/auth/session', { session: 'signed in', expired: 'no' });
    const failure = await api.call(signInRoutes.session).catch((error: unknown) => error);
    expect(isApiError(failure) && failure.problem).toMatchObject({
      code: 'contract_mismatch',
      message: expect.stringContaining('GET /api/auth/session: the reply /session'),
    });
  });
});

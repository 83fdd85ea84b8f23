import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ASSET_CACHE_CONTROL,
  chooseEncoding,
  installWebApp,
  PAGE_CACHE_CONTROL,
} from './web-app.js';

const INDEX = '<!doctype html><title>Careloop</title><div id="root"></div>'.repeat(40);
const ASSET = 'export const greeting = "hello";\n'.repeat(200);
const ASSET_PATH = '/assets/index-C0oilacu.js';

describe('serving the built web app', () => {
  let dist: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'careloop-web-dist-'));
    await mkdir(join(dist, 'assets'));
    // Distinct bodies per encoding, so a test sees which file was sent.
    await writeFile(join(dist, 'index.html'), INDEX);
    await writeFile(join(dist, 'index.html.br'), brotliCompressSync(INDEX));
    await writeFile(join(dist, 'index.html.gz'), gzipSync(INDEX));
    await writeFile(join(dist, ASSET_PATH), ASSET);
    await writeFile(join(dist, `${ASSET_PATH}.br`), brotliCompressSync(ASSET));
    await writeFile(join(dist, `${ASSET_PATH}.gz`), gzipSync(ASSET));
    await writeFile(join(dist, 'assets', 'plain-Dd3f9aQx.css'), 'a{}');
    app = Fastify({ logger: false });
    await installWebApp(app, dist);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await rm(dist, { recursive: true, force: true });
  });

  const get = (url: string, acceptEncoding?: string) =>
    app.inject({
      method: 'GET',
      url,
      headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
    });

  it('sends the brotli copy of a hashed asset, cached for a year as immutable', async () => {
    const res = await get(ASSET_PATH, 'gzip, deflate, br, zstd');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe(ASSET_CACHE_CONTROL);
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.rawPayload.equals(brotliCompressSync(ASSET))).toBe(true);
  });

  it('sends gzip to a client without brotli, and the file itself to one accepting neither', async () => {
    const gz = await get(ASSET_PATH, 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.rawPayload.equals(gzipSync(ASSET))).toBe(true);
    const plain = await get(ASSET_PATH);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(ASSET);
    expect(plain.headers['cache-control']).toBe(ASSET_CACHE_CONTROL);
  });

  it('sends an asset the build left uncompressed as it is, still immutable', async () => {
    const res = await get('/assets/plain-Dd3f9aQx.css', 'br, gzip');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body).toBe('a{}');
    expect(res.headers['cache-control']).toBe(ASSET_CACHE_CONTROL);
  });

  it('revalidates the index page on every visit, at / and at any client route, compressed', async () => {
    for (const url of ['/', '/login', '/patients/123?tab=timeline', '/portal']) {
      const res = await get(url, 'gzip, deflate, br');
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe(PAGE_CACHE_CONTROL);
      expect(res.headers['content-encoding'], url).toBe('br');
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expect(res.rawPayload.equals(brotliCompressSync(INDEX)), url).toBe(true);
    }
    const plain = await get('/login');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(INDEX);
  });

  it('answers 404 for a missing asset and an unknown API path, not the index page', async () => {
    for (const url of ['/assets/index-Gone1234.js', '/api/nothing-here']) {
      const res = await get(url, 'br');
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ status: 404, code: 'not_found' });
    }
  });

  it('does not serve the compressed copies by their own names', async () => {
    const res = await get(`${ASSET_PATH}.br`, 'br');
    expect(res.statusCode).toBe(404);
  });
});

describe('choosing an encoding', () => {
  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0.5, br;q=0.4', 'gzip'],
    ['*', 'br'],
    ['identity', 'identity'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['', 'identity'],
    [undefined, 'identity'],
  ] as const)('%s → %s', (header, expected) => {
    expect(chooseEncoding(header)).toBe(expected);
  });
});

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Hashed file names (Vite's `assets/name-HASH.ext`) never change content: a year, immutable. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** Everything else (index.html, the favicon) is revalidated on every visit, so a deploy shows at once. */
export const PAGE_CACHE_CONTROL = 'no-cache';

type Encoding = 'br' | 'gzip' | 'identity';

/**
 * The encoding to send, from `Accept-Encoding`: brotli before gzip (smaller), identity when the
 * client accepts neither or refuses both with `q=0`.
 */
export function chooseEncoding(header: string | string[] | undefined): Encoding {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  const accepted = new Map<string, number>();
  for (const part of value.toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim());
    if (!name) continue;
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    accepted.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (name: string): number => accepted.get(name) ?? accepted.get('*') ?? 0;
  const br = weightOf('br');
  const gzip = weightOf('gzip');
  if (br > 0 && br >= gzip) return 'br';
  if (gzip > 0) return 'gzip';
  return 'identity';
}

interface IndexVariants {
  identity: Buffer;
  br: Buffer | null;
  gzip: Buffer | null;
}

async function readIfPresent(path: string): Promise<Buffer | null> {
  return existsSync(path) ? readFile(path) : null;
}

async function readIndex(distDir: string): Promise<IndexVariants | null> {
  const path = join(distDir, 'index.html');
  if (!existsSync(path)) return null;
  return {
    identity: await readFile(path),
    br: await readIfPresent(`${path}.br`),
    gzip: await readIfPresent(`${path}.gz`),
  };
}

function sendIndex(request: FastifyRequest, reply: FastifyReply, index: IndexVariants) {
  const wanted = chooseEncoding(request.headers['accept-encoding']);
  const body = wanted === 'identity' ? null : index[wanted];
  void reply
    .type('text/html; charset=utf-8')
    .header('cache-control', PAGE_CACHE_CONTROL)
    .header('vary', 'accept-encoding');
  if (body === null) return reply.send(index.identity);
  return reply.header('content-encoding', wanted).send(body);
}

/**
 * Serves the built web app from `distDir`: the files the build compressed (`.br`, `.gz` beside
 * each, see packages/web/build/precompress.ts) as sent by the client's `Accept-Encoding`,
 * hashed assets cached for a year, and the index page for any other non-API GET, since the web
 * app routes on the client. A missing file (an old asset after a rebuild) is a 404, not the
 * index page. See docs/delivery.md.
 */
export async function installWebApp(app: FastifyInstance, distDir: string | null): Promise<void> {
  const index = distDir !== null && existsSync(distDir) ? await readIndex(distDir) : null;
  if (distDir !== null && index !== null) {
    await app.register(async (web) => {
      web.addHook('onRoute', (route) => {
        route.config = { ...route.config, policy: { public: true } };
      });
      await web.register(fastifyStatic, {
        root: distDir,
        wildcard: false,
        index: 'index.html',
        preCompressed: true,
        // The compressed copies are chosen by Accept-Encoding, not requested by name.
        globIgnore: ['**/*.br', '**/*.gz'],
        cacheControl: false,
        setHeaders: (reply, path) => {
          const hashed = /[/\\]assets[/\\][^/\\]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+(\.br|\.gz)?$/.test(
            path,
          );
          reply.header('cache-control', hashed ? ASSET_CACHE_CONTROL : PAGE_CACHE_CONTROL);
        },
      });
    });
  }
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isFile = /\.[a-z0-9]+$/i.test(path);
    if (request.method === 'GET' && index !== null && !path.startsWith('/api') && !isFile) {
      return sendIndex(request, reply, index);
    }
    return reply.status(404).send({
      status: 404,
      code: 'not_found',
      message: `No route ${request.method} ${path}`,
    });
  });
}

import http from 'node:http';
import https from 'node:https';
import type { ResolvedUrl } from './outbound-url.js';

export interface OutboundResponse {
  status: number;
  body: string;
}

/**
 * One request to a checked URL, connecting to the address the check resolved (never a second
 * DNS answer), with a timeout and a cap on the answer's size; redirects are not followed.
 */
export function requestResolved(
  target: ResolvedUrl,
  options: {
    method: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
    maxBytes?: number;
  },
): Promise<OutboundResponse> {
  const { url, address, family } = target;
  const maxBytes = options.maxBytes ?? 65_536;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: options.method,
        headers: options.headers,
        timeout: options.timeoutMs ?? 10_000,
        lookup: (_host, opts, callback) => {
          if (typeof opts === 'object' && opts.all) {
            callback(null, [{ address, family }]);
          } else {
            callback(null, address, family);
          }
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            request.destroy(new Error('the answer is too large'));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    if (options.body !== undefined) request.write(options.body);
    request.end();
  });
}

import { nulRefused, pathOfNul } from '@careloop/core';
import type { App } from './types.js';

/**
 * Refuses, with a 400 naming the field, a request whose path parameters, query or JSON body
 * holds a NUL character: PostgreSQL cannot store one in text, and every such value reached a
 * statement as a 500. Routes that check their body's text themselves say so in their config
 * (`checksBodyText`); their parameters and query are still checked here.
 */
export function installTextGuard(app: App): void {
  app.addHook('preValidation', async (request) => {
    const checks: [string, unknown][] = [
      ['/params', request.params],
      ['/query', request.query],
    ];
    if (!request.routeOptions.config.checksBodyText) checks.push(['/body', request.body]);
    for (const [prefix, value] of checks) {
      const path = pathOfNul(value);
      if (path !== null) throw nulRefused(`${prefix}${path}`);
    }
  });
}

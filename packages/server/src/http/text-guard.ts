import { nulRefused, pathOfNul } from '@careloop/core';
import type { App } from './types.js';

/**
 * Refuses, with a 400 naming the field, a request whose path parameters, query or JSON body
 * holds a NUL character: PostgreSQL cannot store one in text, and every such value reached a
 * statement as a 500. Routes that check their body's text themselves say so in their config
 * (`checksBodyText`); their parameters and query are still checked here.
 */
export function installTextGuard(app: App): void {
  // A callback hook: nothing here waits, so no promise per request.
  app.addHook('preValidation', (request, _reply, done) => {
    const inParams = pathOfNul(request.params);
    if (inParams !== null) return done(nulRefused(`/params${inParams}`));
    const inQuery = pathOfNul(request.query);
    if (inQuery !== null) return done(nulRefused(`/query${inQuery}`));
    if (!request.routeOptions.config.checksBodyText) {
      const inBody = pathOfNul(request.body);
      if (inBody !== null) return done(nulRefused(`/body${inBody}`));
    }
    done();
  });
}

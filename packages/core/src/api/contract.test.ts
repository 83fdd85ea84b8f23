import { describe, expect, it } from 'vitest';
import { fillPath } from './contract.js';
import { allRoutes, routes } from './routes/index.js';

describe('the route table', () => {
  it('fills path parameters, encoded, and refuses a missing one', () => {
    expect(fillPath(routes.patients.updateCoverage.path, { id: 'a b', coverageId: 'c/d' })).toBe(
      '/api/patients/a%20b/coverages/c%2Fd',
    );
    expect(() => fillPath(routes.patients.get.path, {})).toThrow('missing :id');
  });

  it('declares each method and path once, each under /api with a policy', () => {
    const keys = allRoutes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of allRoutes) {
      expect(r.path.startsWith('/api/')).toBe(true);
      // Issue 11: a provider's signed webhook (the route checks the signature itself).
      expect('public' in r.policy || 'permission' in r.policy || 'webhook' in r.policy).toBe(true);
    }
  });

  it('declares a path parameter for every :name in a path, and no other', () => {
    for (const r of allRoutes) {
      const named = [...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]).sort();
      const declared = 'params' in r ? Object.keys(r.params.properties).sort() : [];
      expect(declared, `${r.method} ${r.path}`).toEqual(named);
    }
  });
});

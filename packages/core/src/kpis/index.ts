export * from './api.js';
export * from './definitions.js';
export * from './metrics.js';
export * from './periods.js';
export * from './report.js';
export * from './suppression.js';

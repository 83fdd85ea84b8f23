export * from './api.js';
export * from './columnar.js';
export * from './definitions.js';
export * from './filters.js';
export * from './privacy.js';
export * from './stats.js';
export * from './suppression.js';
export * from './taxonomy.js';

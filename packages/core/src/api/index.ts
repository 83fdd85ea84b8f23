export * from './audit.js';
export * from './auth.js';
export * from './common.js';
export * from './directory.js';
export * from './enums.js';
export * from './patients.js';
export * from './portal.js';
export * from './users.js';

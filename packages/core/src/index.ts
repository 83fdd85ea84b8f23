export * from './api/index.js';
export * from './auth/permissions.js';
export * from './auth/roles.js';
export * from './consent/consent.js';
export * from './contact/contact.js';
export * from './errors/problem.js';
export * from './pagination/cursor.js';
export * from './patients/search.js';

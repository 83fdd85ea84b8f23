export * from './api.js';
export * from './report.js';

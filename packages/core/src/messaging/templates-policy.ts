// Issue 11: templates and personalization, and the send-time policy (docs/adr/0024).
export * from './appointment-time.js';
export * from './channel-choice.js';
export * from './frequency-caps.js';
export * from './quiet-hours.js';
export * from './sms-segments.js';
export * from './template-api.js';
export * from './template-lint.js';
export * from './template-render.js';

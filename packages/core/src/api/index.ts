export * from './audit.js';
export * from './auth.js';
export * from './common.js';
// Issue 10.3: the route table.
export * from './contract.js';
export * from './coverage.js';
export * from './directory.js';
export * from './enums.js';
// Issue 10.3: the HL7 message log's shapes, for the route table.
export * from './hl7.js';
export * from './imports.js';
// Issue 11: the shared inbox and portal secure messaging.
export * from './inbox.js';
export * from './interfaces.js';
export * from './messaging.js';
export * from './mpi.js';
export * from './patients.js';
export * from './portal.js';
// Issue 13 (h13r): pre-registration before a visit.
export * from './pre-registration.js';
// Issue 9: questionnaire answers, read on the 360 page.
export * from './questionnaires.js';
export * from './restrictions.js';
export * from './routes/index.js';
// Issue 10.3: the sign-in routes without their schemas (first-visit budget).
export * from './routes/sign-in.js';
// Issue 11: the SMS channel.
export * from './sms.js';
// Issue 11 (h11v): the post-visit survey.
export * from './surveys.js';
export * from './users.js';

import { parentPort } from 'node:worker_threads';
import type { Resource } from '@medplum/fhirtypes';
import { loadFhirDefinitions, type ValidationResult, validateFhir } from './validation.js';

/** A chunk of resources to validate, and the answer: one result per resource, in order. */
export interface ValidationRequest {
  id: number;
  resources: Resource[];
}

export type ValidationReply =
  | { kind: 'ready' }
  | { kind: 'done'; id: number; results: ValidationResult[] };

const port = parentPort;
if (!port) throw new Error('validation-worker-main runs in a worker thread');
loadFhirDefinitions();
port.postMessage({ kind: 'ready' } satisfies ValidationReply);
port.on('message', (request: ValidationRequest) => {
  port.postMessage({
    kind: 'done',
    id: request.id,
    results: request.resources.map(validateFhir),
  } satisfies ValidationReply);
});

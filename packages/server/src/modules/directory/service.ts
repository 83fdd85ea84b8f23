import type { Database } from '../../db/client.js';

export class DirectoryService {
  constructor(readonly database: Database) {}
}

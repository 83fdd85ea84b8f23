import type { Database } from '../../db/client.js';
import type { AuthService } from './service.js';

export class UserService {
  constructor(
    readonly database: Database,
    readonly auth: AuthService,
  ) {}
}

import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

export default async function routes(_app: App, _services: Services): Promise<void> {}

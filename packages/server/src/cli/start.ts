import { SERVER_ROLES, type ServerRole, startServer } from '../server.js';
import { type Command, integerOption, stringOption } from './command.js';
import { UsageError } from './output.js';
import { progress } from './progress.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'Start the server (and seed the demo organization into an empty database)',
  help: `careloop start [--host HOST] [--port PORT] [--only api|worker|hl7]

  Serves the API, its docs at /api/docs and the web app, runs the background jobs (the email
  outbox) and, when HL7_PORT is set, the MLLP listener, all in one process. On an empty database it first seeds
  "Demo Health" with CARELOOP_DEMO_PATIENTS patients (default 2000); CARELOOP_DEMO=0 skips it.
  Checkpoints the audit chains at start, every CARELOOP_AUDIT_CHECKPOINT_MINUTES (default 5)
  and at shutdown (see \`careloop audit checkpoint\`). Stops cleanly on Ctrl-C (SIGINT) or
  SIGTERM.

  --host HOST   interface to listen on (default $HOST or 127.0.0.1)
  --port PORT   port to listen on (default $PORT or 8080; 0 picks a free one)
  --only PART   run one part alone: api (HTTP), worker (jobs) or hl7 (MLLP, needs HL7_PORT);
                several processes may run each part against one PostgreSQL. A worker stops
                on SIGTERM after the jobs in hand (at most 10 s; unfinished ones are retried)`,
  options: { host: { type: 'string' }, port: { type: 'string' }, only: { type: 'string' } },
  async run({ values, config, out, io }) {
    const host = stringOption(values, 'host') ?? config.host;
    const port = integerOption(values, 'port', config.port, { min: 0, max: 65_535 });
    const only = stringOption(values, 'only');
    if (only !== undefined && !(SERVER_ROLES as readonly string[]).includes(only)) {
      throw new UsageError(`--only takes api, worker or hl7, not "${only}"`);
    }
    const bar = progress(io.stderr, 'Seeding', 'patients', { json: out.json });
    try {
      await startServer(
        { ...config, host, port },
        {
          json: out.json,
          onSeedProgress: bar.update,
          ...(only ? { only: only as ServerRole } : {}),
        },
      );
    } finally {
      bar.stop();
    }
    return undefined;
  },
};

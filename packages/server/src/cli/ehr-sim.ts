import { parseArgs } from 'node:util';
import { startFhirSimulator } from '../modules/ehr-link/fhir-simulator.js';
import { startEhrSimulator } from '../modules/hl7/ehr-simulator.js';
import { integerOption, stringOption } from './command.js';
import { type CliIO, CommandError, EXIT, Output, UsageError } from './output.js';

export const EHR_SIM_SUMMARY =
  'A simulated EHR: receives HL7 v2 over MLLP and acknowledges by rule';

export const EHR_SIM_HELP = `careloop ehr-sim [--port N] [--host HOST] [--refuse REGEX] [--error REGEX] [--refuse-first N]
                 [--fhir-port N] [--fhir-token TOKEN] [--decline REGEX]

  A stand-in for an EHR's MLLP interface, for demos and tests of EHR_MLLP_ENDPOINT: it answers
  every message it can read with AA, prints one line per message (type, control id, answer), and
  stops on Ctrl-C. It keeps a book of Careloop's booking requests (SIU^S12/S13/S15, issue 13) in
  memory: a slot another request holds is refused with AE "Slot taken", an accepted S12 is
  answered with a filler id, an S15 frees the slot.

  --port N          port to listen on (default 2576)
  --host HOST       interface (default 127.0.0.1)
  --refuse REGEX    answer AR (not now: the sender retries) to messages matching REGEX
  --error REGEX     answer AE (refused: the sender gives up) to messages matching REGEX
  --refuse-first N  answer AR to the first N messages, as an EHR that was down a while
  --fhir-port N     also serve a FHIR R4 endpoint for EHR_FHIR_BASE at
                    http://HOST:N/fhir/R4 (POST, PUT, GET Appointment; conditional create by
                    If-None-Exist): a practitioner's time another Appointment holds is refused
                    409 "Slot taken"; --error answers 422, --refuse and --refuse-first 503
  --fhir-token T    the FHIR endpoint asks for "Authorization: Bearer T" (EHR_FHIR_TOKEN)
  --decline REGEX   FHIR: keep a matching Appointment and answer it status cancelled`;

function regexOption(value: string | undefined, name: string): RegExp | undefined {
  if (value === undefined) return undefined;
  try {
    return new RegExp(value);
  } catch {
    throw new UsageError(`--${name} is not a regular expression`);
  }
}

/** `careloop ehr-sim`: resolves to the exit code once stopped (a signal, or `options.signal`). */
export async function runEhrSim(
  argv: readonly string[],
  io: CliIO,
  options: { signal?: AbortSignal } = {},
): Promise<number> {
  const out = new Output(io, argv.includes('--json'));
  try {
    let values: ReturnType<typeof parseArgs>['values'];
    try {
      values = parseArgs({
        args: [...argv],
        options: {
          port: { type: 'string' },
          host: { type: 'string' },
          refuse: { type: 'string' },
          error: { type: 'string' },
          'refuse-first': { type: 'string' },
          // Issue 13 (h13f): the FHIR endpoint.
          'fhir-port': { type: 'string' },
          'fhir-token': { type: 'string' },
          decline: { type: 'string' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
      }).values;
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (values.help) {
      io.stdout.write(`${EHR_SIM_HELP}\n`);
      return EXIT.ok;
    }
    const port = integerOption(values, 'port', 2576, { min: 0, max: 65_535 });
    const host = stringOption(values, 'host') ?? '127.0.0.1';
    const rules = {
      refuse: regexOption(stringOption(values, 'refuse'), 'refuse'),
      error: regexOption(stringOption(values, 'error'), 'error'),
      refuseFirst: integerOption(values, 'refuse-first', 0, { min: 0 }),
    };
    const simulator = await startEhrSimulator({
      port,
      host,
      rules: {
        ...(rules.refuse ? { refuse: rules.refuse } : {}),
        ...(rules.error ? { error: rules.error } : {}),
        refuseFirst: rules.refuseFirst,
      },
      onReceipt: (r) =>
        out.json
          ? io.stdout.write(
              `${JSON.stringify({ type: r.type, controlId: r.controlId, ack: r.ack })}\n`,
            )
          : out.say(`${r.type} ${r.controlId}: ${r.ack}`),
    }).catch((error: unknown) => {
      throw new CommandError(
        `Cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    // Issue 13 (h13f): the FHIR endpoint beside the MLLP listener, by the same rules.
    const fhirPort = stringOption(values, 'fhir-port')
      ? integerOption(values, 'fhir-port', 0, { min: 0, max: 65_535 })
      : null;
    const decline = regexOption(stringOption(values, 'decline'), 'decline');
    const fhir =
      fhirPort === null
        ? null
        : await startFhirSimulator({
            port: fhirPort,
            host,
            token: stringOption(values, 'fhir-token') ?? null,
            rules: {
              ...(rules.refuse ? { refuse: rules.refuse } : {}),
              ...(rules.error ? { error: rules.error } : {}),
              ...(decline ? { decline } : {}),
              refuseFirst: rules.refuseFirst,
            },
            onReceipt: (r) =>
              out.json
                ? io.stdout.write(
                    `${JSON.stringify({ method: r.method, path: r.path, status: r.status, id: r.id })}\n`,
                  )
                : out.say(`${r.method} ${r.path}: ${r.status}${r.id ? ` ${r.id}` : ''}`),
          }).catch(async (error: unknown) => {
            await simulator.close();
            throw new CommandError(
              `Cannot listen on ${host}:${fhirPort}: ${error instanceof Error ? error.message : String(error)}`,
            );
          });
    out.result(
      {
        host: simulator.listener.host,
        port: simulator.listener.port,
        ...(fhir ? { fhirBase: fhir.base } : {}),
      },
      () =>
        `Simulated EHR listening for HL7 v2 (MLLP) on ${simulator.listener.host}:${simulator.listener.port}${fhir ? ` and FHIR R4 at ${fhir.base}` : ''}. Ctrl-C stops.`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      if (options.signal?.aborted) stop();
      options.signal?.addEventListener('abort', stop, { once: true });
    });
    await simulator.close();
    await fhir?.close();
    return EXIT.ok;
  } catch (error) {
    return out.fail(error);
  }
}

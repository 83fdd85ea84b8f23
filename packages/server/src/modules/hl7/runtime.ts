import { DEMO_ORGANIZATION } from '../../seed/reference/staff.js';
import type { Services } from '../../services.js';
import { type MllpListener, startMllpListener } from './mllp/listener.js';
import {
  type MllpRefusal,
  type MllpSenderSettings,
  senderSettingsFromEnv,
} from './mllp/senders.js';

export const HL7_DEFAULT_PORT = 2575;

/** The organization named `name`, created when it does not exist yet. */
export async function organizationNamed(
  services: Services,
  name: string,
): Promise<{ id: string; name: string; created: boolean }> {
  const found = await services.directory.findOrganizationByName(name);
  if (found) return { id: found.id, name: found.name, created: false };
  try {
    const org = await services.directory.createOrganization(name);
    return { id: org.id, name: org.name, created: true };
  } catch (error) {
    // Created meanwhile by another process: use it.
    const again = await services.directory.findOrganizationByName(name);
    if (again) return { id: again.id, name: again.name, created: false };
    throw error;
  }
}

export interface RunningHl7 {
  listener: MllpListener;
  organization: { id: string; name: string; created: boolean };
  /** Stops accepting, lets replies in flight go out, waits for queued messages. */
  close(): Promise<void>;
}

/** Starts the MLLP listener for one organization (created when missing). */
export async function startHl7(
  services: Services,
  options: {
    port: number;
    host: string;
    organization: string;
    /** Allow-list, cap per address, idle timeout, TLS (senderSettingsFromEnv). */
    senders?: MllpSenderSettings;
    onError?: (error: unknown) => void;
    onRefused?: (refusal: MllpRefusal) => void;
  },
): Promise<RunningHl7> {
  const organization = await organizationNamed(services, options.organization);
  const listener = await startMllpListener({
    ...options.senders,
    port: options.port,
    host: options.host,
    handle: services.hl7.mllpHandler(organization.id),
    onError: options.onError,
    onRefused: options.onRefused,
  });
  return {
    listener,
    organization,
    close: async () => {
      await listener.close();
      await services.hl7.drain();
    },
  };
}

/**
 * For `careloop start`: the listener when HL7_PORT is set (HL7_HOST, else the API's host;
 * HL7_ORG, else the demo organization; the sender settings of senderSettingsFromEnv), else null.
 */
export async function startHl7FromEnv(
  services: Services,
  env: NodeJS.ProcessEnv,
  apiHost: string,
  report: { onError?: (error: unknown) => void; onRefused?: (refusal: MllpRefusal) => void } = {},
): Promise<RunningHl7 | null> {
  if (!env.HL7_PORT) return null;
  const port = Number(env.HL7_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`HL7_PORT must be a port number, got "${env.HL7_PORT}"`);
  }
  return startHl7(services, {
    port,
    host: env.HL7_HOST || apiHost,
    organization: env.HL7_ORG?.trim() || DEMO_ORGANIZATION,
    senders: await senderSettingsFromEnv(env),
    ...report,
  });
}

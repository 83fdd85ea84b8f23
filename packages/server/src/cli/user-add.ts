import { isRole, ROLES, type UserCreate } from '@careloop/core';
import { FieldCipher } from '../crypto/field-cipher.js';
import { passwordWeakness } from '../modules/auth/passwords.js';
import { loadFieldCipher, openDatabase } from '../server.js';
import { createServices } from '../services.js';
import { type Command, requiredString, stringOption } from './command.js';
import { CommandError, UsageError } from './output.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "jane.doe@x" → "Jane Doe": a display name until the user sets one. */
function nameFromEmail(email: string): string {
  const local = email.split('@')[0] ?? email;
  return (
    local
      .split(/[._-]+/)
      .filter(Boolean)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(' ') || email
  );
}

export const userAddCommand: Command = {
  name: 'user add',
  summary: 'Create a user in an organization',
  help: `careloop user add --email EMAIL --role ROLE --org NAME [--password P] [--patient ID] [--name NAME]

  Creates a sign-in. Without --password a password is generated and printed once.

  --email EMAIL      sign-in email (unique across the installation)
  --role ROLE        one of: ${ROLES.join(', ')}
  --org NAME         the organization's exact name
  --password P       at least 12 characters, and not easy to guess (zxcvbn score 3)
  --patient ID       the patient record a "patient" user may see (required for that role)
  --name NAME        display name (default: from the email)
  --privacy-officer  an admin who receives a task for each break-glass access`,
  options: {
    email: { type: 'string' },
    role: { type: 'string' },
    org: { type: 'string' },
    password: { type: 'string' },
    patient: { type: 'string' },
    name: { type: 'string' },
    'privacy-officer': { type: 'boolean' },
  },
  async run({ values, config, out, io }) {
    const email = requiredString(values, 'email');
    const role = requiredString(values, 'role');
    const orgName = requiredString(values, 'org');
    const password = stringOption(values, 'password');
    const patientId = stringOption(values, 'patient');
    if (!isRole(role))
      throw new UsageError(`--role must be one of ${ROLES.join(', ')}; got "${role}"`);
    const weakness = password === undefined ? null : passwordWeakness(password, [email]);
    if (weakness) throw new UsageError(`--password: ${weakness}`);
    if (patientId !== undefined && !UUID.test(patientId)) {
      throw new UsageError(`--patient must be a patient id (a UUID), got "${patientId}"`);
    }
    const privacyOfficer = values['privacy-officer'] === true;
    if (privacyOfficer && role !== 'admin') {
      throw new UsageError('--privacy-officer is for admins (--role admin)');
    }
    if (role === 'patient' && patientId === undefined) {
      throw new UsageError('a patient user needs --patient, the id of their record');
    }
    const input: UserCreate = {
      email,
      role,
      displayName: stringOption(values, 'name')?.trim() || nameFromEmail(email),
      ...(password === undefined ? {} : { password }),
      ...(patientId === undefined ? {} : { patientId }),
    };

    const database = await openDatabase(config, io.env);
    try {
      await database.migrate();
      // Creating a user encrypts nothing: without a configured key a throwaway one will do.
      const cipher = await loadFieldCipher(config, database).catch(() => FieldCipher.random());
      const services = createServices(config, database, cipher);
      const org = await services.directory.findOrganizationByName(orgName);
      if (!org) throw new CommandError(`No organization is named "${orgName}"`);
      const { user, generatedPassword } = await services.users.create(org.id, input);
      if (privacyOfficer) await services.users.setPrivacyOfficer(org.id, user.id, true);
      out.result({ organization: { id: org.id, name: org.name }, user, generatedPassword }, () =>
        [
          `Created ${user.role} ${user.email} in ${org.name} (id ${user.id}).`,
          ...(generatedPassword
            ? [`Password (shown once, hand it over safely): ${generatedPassword}`]
            : []),
        ].join('\n'),
      );
    } finally {
      await database.close();
    }
    return undefined;
  },
};

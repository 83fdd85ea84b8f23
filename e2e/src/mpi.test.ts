import type { Patient360, PatientSources, ReviewItem } from '@careloop/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type ApiSession, useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, signIn, newPage, apiSession } = useCareloop();

/** Signs in through the API and returns the session cookie and its CSRF token. */
async function apiGet<T>(session: ApiSession, path: string): Promise<T> {
  const res = await fetch(`${app.url}${path}`, { headers: { cookie: session.cookie } });
  expect(res.status, `GET ${path}`).toBe(200);
  return (await res.json()) as T;
}

/**
 * Imports one FHIR Patient as an EHR would (the import runs the master patient index) and
 * returns the id of the golden record it became.
 */
async function importPatient(
  admin: ApiSession,
  resource: { id: string; given: string; family: string; birthDate: string; address?: object },
): Promise<string> {
  const bundle = {
    resourceType: 'Bundle',
    type: 'batch',
    entry: [
      {
        resource: {
          resourceType: 'Patient',
          id: resource.id,
          name: [{ use: 'official', given: [resource.given], family: resource.family }],
          gender: 'female',
          birthDate: resource.birthDate,
          ...(resource.address ? { address: [resource.address] } : {}),
        },
        request: { method: 'PUT', url: `Patient/${resource.id}` },
      },
    ],
  };
  const res = await fetch(`${app.url}/fhir/R4?source=e2e-ehr`, {
    method: 'POST',
    headers: {
      'content-type': 'application/fhir+json',
      cookie: admin.cookie,
      'x-csrf-token': admin.csrfToken,
    },
    body: JSON.stringify(bundle),
  });
  const text = await res.text();
  expect(res.status, text.slice(0, 500)).toBe(200);
  const reply = JSON.parse(text) as { entry?: { response?: { location?: string } }[] };
  const location = reply.entry?.[0]?.response?.location ?? '';
  const id = /^Patient\/([0-9a-f-]{36})/.exec(location)?.[1];
  if (!id) throw new Error(`import answered no Patient location: ${text.slice(0, 500)}`);
  return id;
}

/** Registers a patient as front desk staff would, through the API. */
async function registerPatient(
  session: ApiSession,
  body: {
    givenName: string;
    familyName: string;
    birthDate: string;
    identifiers?: { system: string; value: string }[];
  },
): Promise<string> {
  const res = await fetch(`${app.url}/api/patients`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      cookie: session.cookie,
      'x-csrf-token': session.csrfToken,
    },
    body: JSON.stringify({ ...body, administrativeSex: 'female' }),
  });
  const text = await res.text();
  expect(res.status, text.slice(0, 500)).toBe(200);
  return (JSON.parse(text) as Patient360).patient.id;
}

/** The open review item pairing the two patients, paging through the queue. */
async function openReviewFor(session: ApiSession, a: string, b: string): Promise<ReviewItem> {
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: { items: ReviewItem[]; nextCursor: string | null } = await apiGet(
      session,
      `/api/mpi/reviews?status=open&limit=100${query}`,
    );
    const found = page.items.find((item) => {
      const pair = [item.incoming.patientId, item.candidate.patientId];
      return pair.includes(a) && pair.includes(b);
    });
    if (found) return found;
    cursor = page.nextCursor;
  } while (cursor);
  throw new Error('the two imported patients produced no open review item');
}

/** Paths of the API reads a page makes, to tell which patient records it opened. */
function recordReads(page: Page): { reads: string[]; of: (patientId: string) => number } {
  const reads: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'GET') reads.push(new URL(request.url()).pathname);
  });
  // A read of the record itself (`/api/patients/:id`) is an audited patient read; its sources
  // or other sub-resources are not what this counts.
  return {
    reads,
    of: (patientId) => reads.filter((p) => p === `/api/patients/${patientId}`).length,
  };
}

/** The queue row of a pair, loading more of the queue (oldest first) until it shows. */
async function queueRow(page: Page, text: string) {
  const row = page.getByTestId('review-row').filter({ hasText: text });
  const more = page.getByRole('button', { name: 'Load more' });
  await page.getByRole('table', { name: 'Possible duplicates' }).waitFor();
  const rows = page.getByTestId('review-row');
  for (let pages = 0; (await row.count()) === 0; pages++) {
    if (pages > 40) throw new Error(`no queue row with ${text}`);
    const shown = await rows.count();
    await more.click();
    await expect.poll(() => rows.count()).toBeGreaterThan(shown);
  }
  return row.first();
}

describe('master patient index in the staff console', () => {
  it('front desk merges a possible duplicate from the review queue, sees both sources, and unmerges', async () => {
    // Same family name and given-name initial, a nickname-like spelling and a birth date one
    // digit apart, nothing else in common: similar, but below the automatic link score.
    const family = 'Quarrington';
    const admin = await apiSession('admin');
    const existingId = await importPatient(admin, {
      id: 'e2e-mpi-1',
      given: 'Katherine',
      family,
      birthDate: '1979-08-23',
    });
    const incomingId = await importPatient(admin, {
      id: 'e2e-mpi-2',
      given: 'Kathryn',
      family,
      birthDate: '1979-08-28',
    });
    expect(incomingId).not.toBe(existingId);
    const desk = await apiSession('frontdesk');
    const item = await openReviewFor(desk, existingId, incomingId);

    const page = await newPage();
    await withScreenshotOnFailure(page, 'mpi-merge-unmerge', async () => {
      await signIn(page, 'frontdesk');
      // The navigation says how many possible duplicates wait, as the API counts them.
      const { open } = await apiGet<{ open: number }>(desk, '/api/mpi/reviews/count');
      expect(open).toBeGreaterThan(0);
      const badge = page.getByTestId('open-review-count');
      await badge.filter({ hasText: String(open) }).waitFor();
      expect(await badge.getAttribute('aria-label')).toBe(`${open} waiting for review`);
      await page.getByRole('link', { name: 'Duplicates' }).click();
      await page.waitForURL((url) => url.pathname === '/mpi/reviews');
      const incomingName = `${item.incoming.givenName} ${item.incoming.familyName}`;
      await page
        .getByRole('link', { name: `Review ${incomingName}` })
        .first()
        .click();
      await page.waitForURL((url) => url.pathname === `/mpi/reviews/${item.id}`);

      // Side by side: one row per compared field, each labelled with its agreement.
      const comparison = page.getByRole('table', { name: 'Side-by-side comparison' });
      const givenRow = comparison.getByRole('row', { name: /^Given name/ });
      await givenRow.getByText('Kathryn').waitFor();
      expect(await givenRow.getByText('Katherine').count()).toBe(1);
      expect(await givenRow.getAttribute('data-level')).toBe('similar');
      expect(
        await comparison.getByRole('row', { name: /^Family name/ }).getAttribute('data-level'),
      ).toBe('exact');

      await page.getByRole('button', { name: 'Same person — merge' }).click();
      const dialog = page.getByRole('dialog', { name: 'Merge these records?' });
      // The existing record survives unless the reviewer chooses otherwise.
      expect(await dialog.getByRole('radio', { name: /^Existing record/ }).isChecked()).toBe(true);
      // What the kept record keeps is said before anything changes.
      await dialog.getByText('The record you keep keeps its name, birth date and sex').waitFor();
      await dialog.getByLabel('Reason').fill('Same person: EHR typo in the birth date');
      await dialog.getByRole('button', { name: 'Merge records' }).click();
      const result = page.getByTestId('review-result');
      await result.getByText('Merged into one record').waitFor();
      // Who decided, and why, in the reviewer's words.
      const decision = result.getByTestId('review-decision');
      await decision
        .filter({ hasText: /^Decided by .*: Same person: EHR typo in the birth date$/ })
        .waitFor();
      await result.getByRole('button', { name: 'Unmerge' }).waitFor();
      // One fewer waiting, without reloading the page.
      if (open === 1) await badge.waitFor({ state: 'detached' });
      else await badge.filter({ hasText: new RegExp(`^${open - 1}$`) }).waitFor();

      await page.getByRole('link', { name: /^Open the surviving record: Katherine/ }).click();
      await page.waitForURL((url) => url.pathname === `/patients/${existingId}`);
      await page.getByRole('tab', { name: 'Sources' }).waitFor();
      expect(await page.getByRole('tab', { name: 'Sources' }).getAttribute('aria-selected')).toBe(
        'true',
      );
      // Both imported sources, and the staff source holding what the kept record said before
      // the merge (its name, birth date and sex win over the other record's).
      const sourceRows = page.getByTestId('source-record');
      await expect.poll(() => sourceRows.count(), { timeout: 15_000 }).toBe(3);
      for (const sourceId of ['e2e-mpi-1', 'e2e-mpi-2', existingId]) {
        expect(await sourceRows.filter({ hasText: sourceId }).count()).toBe(1);
      }
      expect(await sourceRows.filter({ hasText: existingId }).textContent()).toContain('Staff');

      // The merge history names the merged record from the merge itself: no audited read of it.
      const reads = recordReads(page);
      await page.goto(`${app.url}/patients/${existingId}?tab=sources`);
      const mergeRow = page.getByTestId('merge-row');
      await mergeRow.getByText('In force').waitFor();
      await mergeRow
        .getByRole('link', { name: 'Kathryn Quarrington (born Aug 28, 1979)' })
        .waitFor();
      expect(reads.of(existingId)).toBeGreaterThan(0);
      expect(reads.of(incomingId)).toBe(0);

      // The merged record still resolves and points to where the patient lives now, by name.
      const readsOfSurvivor = reads.of(existingId);
      await page.goto(`${app.url}/patients/${incomingId}`);
      const banner = page.getByTestId('merged-banner');
      await banner
        .locator(`a[href="/patients/${existingId}"]`)
        .filter({ hasText: 'Katherine Quarrington (born Aug 23, 1979)' })
        .waitFor();
      expect(reads.of(existingId)).toBe(readsOfSurvivor);

      // Undo from the review itself: the pair becomes different people.
      await page.goto(`${app.url}/mpi/reviews/${item.id}`);
      await result.getByRole('button', { name: 'Unmerge' }).click();
      const undo = page.getByRole('dialog', { name: 'Undo this merge?' });
      await undo.getByText(/^Kathryn Quarrington \(born Aug 28, 1979\) was merged into/).waitFor();
      expect(reads.of(existingId)).toBe(readsOfSurvivor);
      await undo.getByLabel('Reason').fill('Different birth dates after all');
      await undo.getByRole('button', { name: 'Undo merge' }).click();
      await undo.waitFor({ state: 'hidden' });
      await result.getByText('Different people').waitFor();
      await decision.filter({ hasText: /: Different birth dates after all$/ }).waitFor();
      expect(await page.getByRole('button', { name: 'Unmerge' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Same person — merge' }).count()).toBe(0);

      await page.goto(`${app.url}/patients/${existingId}?tab=sources`);
      await mergeRow.getByText('Undone').waitFor();
      expect(await mergeRow.getByRole('button', { name: 'Unmerge' }).count()).toBe(0);
      await expect.poll(() => sourceRows.count(), { timeout: 15_000 }).toBe(2);
      expect(await sourceRows.filter({ hasText: 'e2e-mpi-2' }).count()).toBe(0);
    });
    await page.context().close();

    const undone = await apiGet<ReviewItem>(desk, `/api/mpi/reviews/${item.id}`);
    expect(undone).toMatchObject({
      status: 'distinct',
      decisionReason: 'Different birth dates after all',
    });

    // Both records are back, each with its own source record and its own name.
    for (const [id, sourceId, given] of [
      [existingId, 'e2e-mpi-1', 'Katherine'],
      [incomingId, 'e2e-mpi-2', 'Kathryn'],
    ] as const) {
      const record = await apiGet<Patient360>(desk, `/api/patients/${id}`);
      expect(record.patient.status).not.toBe('merged');
      expect(record.patient.givenName).toBe(given);
      const sources = await apiGet<PatientSources>(desk, `/api/patients/${id}/sources`);
      expect(sources.mergedInto).toBeNull();
      // The staff source the merge gave the kept record stays with it.
      expect(sources.sources.filter((s) => s.kind !== 'staff').map((s) => s.sourceId)).toEqual([
        sourceId,
      ]);
    }
  });

  it('front desk keeps twins apart: the queue explains why, and neither record is merged', async () => {
    const home = { line: ['5 Oak Ave'], city: 'Peoria', state: 'IL', postalCode: '61602' };
    const admin = await apiSession('admin');
    const first = await importPatient(admin, {
      id: 'e2e-twin-1',
      given: 'Hanna',
      family: 'Bellweather',
      birthDate: '2001-02-03',
      address: home,
    });
    const second = await importPatient(admin, {
      id: 'e2e-twin-2',
      given: 'Maria',
      family: 'Bellweather',
      birthDate: '2001-02-03',
      address: home,
    });
    const desk = await apiSession('frontdesk');
    const item = await openReviewFor(desk, first, second);
    expect(item.reason).toBe('twins');

    const page = await newPage();
    await withScreenshotOnFailure(page, 'mpi-twins-distinct', async () => {
      await signIn(page, 'frontdesk');
      await page.getByRole('link', { name: 'Duplicates' }).click();
      const row = page.getByTestId('review-row').filter({ hasText: 'Bellweather, Maria' });
      await row.getByText('Same birth date and address, different given names').waitFor();
      await row.getByRole('link', { name: 'Review Maria Bellweather' }).click();
      await page.waitForURL((url) => url.pathname === `/mpi/reviews/${item.id}`);

      await page.getByRole('button', { name: 'Different people' }).click();
      const dialog = page.getByRole('dialog', { name: 'Mark as different people?' });
      await dialog.getByLabel('Reason').fill('Twin sisters');
      await dialog.getByRole('button', { name: 'Mark as different people' }).click();
      await page.getByTestId('review-result').getByText('Different people').waitFor();
      expect(await page.getByRole('button', { name: 'Same person — merge' }).count()).toBe(0);

      // The decided pair leaves the open queue and is listed under its decision.
      await page.getByRole('link', { name: 'Possible duplicates' }).click();
      // Once the queue replaced the review page, whose badge and result say the same words.
      await page.waitForURL((url) => url.pathname === '/mpi/reviews');
      await page.getByRole('heading', { name: 'Possible duplicates' }).waitFor();
      await page.getByText('Different people', { exact: true }).click();
      await page.waitForURL((url) => url.searchParams.get('status') === 'distinct');
      await page
        .getByTestId('review-row')
        .filter({ hasText: 'Bellweather, Maria' })
        .first()
        .waitFor();
    });
    await page.context().close();

    for (const id of [first, second]) {
      const sources = await apiGet<PatientSources>(desk, `/api/patients/${id}/sources`);
      expect(sources.status).not.toBe('merged');
      expect(sources.merges).toEqual([]);
    }
  });

  it('front desk folds a known duplicate into a record from the 360 page', async () => {
    const desk = await apiSession('frontdesk');
    // Different enough that the index keeps them apart on its own.
    const keptId = await registerPatient(desk, {
      givenName: 'Ottoline',
      familyName: 'Featherstonehaugh',
      birthDate: '1950-04-12',
    });
    const duplicateId = await registerPatient(desk, {
      givenName: 'Lina',
      familyName: 'Featherstonehaugh',
      birthDate: '1950-12-04',
    });
    expect(duplicateId).not.toBe(keptId);

    const page = await newPage();
    await withScreenshotOnFailure(page, 'mpi-merge-from-360', async () => {
      await signIn(page, 'frontdesk');
      await page.getByRole('link', { name: 'Duplicates' }).waitFor();
      await page.goto(`${app.url}/patients/${keptId}`);
      await page.getByRole('button', { name: 'More actions' }).click();
      await page.getByRole('menuitem', { name: 'Merge a duplicate…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Merge a duplicate into this record' });
      await dialog.getByRole('combobox', { name: 'Duplicate record' }).fill('Featherstonehaugh');
      await page.getByRole('option', { name: /Lina/ }).click();
      await dialog.getByRole('button', { name: 'Next' }).click();

      // Both people, with their birth dates, before anything changes.
      const parties = dialog.getByTestId('merge-party');
      await parties.nth(1).getByText('Lina Featherstonehaugh').waitFor();
      expect(await parties.nth(0).textContent()).toContain('Ottoline Featherstonehaugh');
      expect(await parties.nth(0).textContent()).toContain('Apr 12, 1950');
      expect(await parties.nth(1).textContent()).toContain('Dec 4, 1950');
      await dialog.getByText('The birth dates differ').waitFor();
      await dialog.getByText('The record you keep keeps its name, birth date and sex').waitFor();
      await dialog.getByRole('button', { name: 'Merge records' }).click();
      await dialog.waitFor({ state: 'hidden' });

      await page.getByRole('tab', { name: 'Sources' }).click();
      await expect.poll(() => page.getByTestId('source-record').count()).toBe(2);
      const mergeRow = page.getByTestId('merge-row');
      await mergeRow.getByText('merged into this record').waitFor();
      await mergeRow
        .getByRole('link', { name: 'Lina Featherstonehaugh (born Dec 4, 1950)' })
        .waitFor();
      await mergeRow.getByText('Staff merge').waitFor();

      // Undone by someone else while the dialog is open: the server's refusal, then the history
      // shows it.
      await mergeRow.getByRole('button', { name: 'Unmerge' }).click();
      const undo = page.getByRole('dialog', { name: 'Undo this merge?' });
      const history = await apiGet<PatientSources>(desk, `/api/patients/${keptId}/sources`);
      const mergeId = history.merges[0]?.id;
      const elsewhere = await fetch(`${app.url}/api/mpi/merges/${mergeId}/unmerge`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          cookie: desk.cookie,
          'x-csrf-token': desk.csrfToken,
        },
        body: '{}',
      });
      expect(elsewhere.status, await elsewhere.text()).toBe(200);
      await undo.getByRole('button', { name: 'Undo merge' }).click();
      await undo.getByRole('alert').getByText('This merge has already been undone').waitFor();
      await mergeRow.getByText('Undone').waitFor();
      await undo.getByRole('button', { name: 'Close' }).click();
      await undo.waitFor({ state: 'hidden' });
    });
    await page.context().close();

    const restored = await apiGet<PatientSources>(desk, `/api/patients/${duplicateId}/sources`);
    expect(restored.mergedInto).toBeNull();
    expect(restored.merges.map((m) => m.unmergedAt === null)).toEqual([false]);
  });

  it('the queue says why staff registrations were held: a strong match, an identifier conflict', async () => {
    const desk = await apiSession('frontdesk');
    // Alike enough to link by score, but staff registration never links by score.
    const held = { givenName: 'Rosalind', familyName: 'Abernethy-Strong', birthDate: '1958-09-14' };
    const first = await registerPatient(desk, held);
    const second = await registerPatient(desk, held);
    const strong = await openReviewFor(desk, first, second);
    expect(strong.reason).toBe('strong-match');
    // Just as alike, but one system gave them different numbers.
    const system = 'urn:e2e:clinic-mrn';
    const twin = { givenName: 'Cordelia', familyName: 'Idris-Conflict', birthDate: '1966-02-21' };
    const one = await registerPatient(desk, { ...twin, identifiers: [{ system, value: 'M-1' }] });
    const other = await registerPatient(desk, { ...twin, identifiers: [{ system, value: 'M-2' }] });
    const conflicting = await openReviewFor(desk, one, other);
    expect(conflicting.reason).toBe('identifier-conflict');

    const page = await newPage();
    await withScreenshotOnFailure(page, 'mpi-held-registrations', async () => {
      await signIn(page, 'frontdesk');
      await page.getByRole('link', { name: 'Duplicates' }).click();
      await page.waitForURL((url) => url.pathname === '/mpi/reviews');
      const strongRow = await queueRow(page, 'Abernethy-Strong, Rosalind');
      await strongRow
        .getByText('Registered by staff, strongly resembling an existing patient')
        .waitFor();
      const conflictRow = await queueRow(page, 'Idris-Conflict, Cordelia');
      await conflictRow
        .getByText('Much alike, but the same system gave them different identifiers')
        .waitFor();
      await conflictRow.getByRole('link', { name: 'Review Cordelia Idris-Conflict' }).click();
      await page.waitForURL((url) => url.pathname === `/mpi/reviews/${conflicting.id}`);
      await page
        .getByText('Much alike, but the same system gave them different identifiers')
        .waitFor();
    });
    await page.context().close();
  });

  it('a clinician sees where a record came from but cannot merge, unmerge or open the queue', async () => {
    const desk = await apiSession('frontdesk');
    const keptId = await registerPatient(desk, {
      givenName: 'Philippa',
      familyName: 'Zangwill',
      birthDate: '1962-07-30',
    });
    const duplicateId = await registerPatient(desk, {
      givenName: 'Pippa',
      familyName: 'Thornbury',
      birthDate: '1971-01-15',
    });
    const res = await fetch(`${app.url}/api/patients/${keptId}/merge`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: desk.cookie,
        'x-csrf-token': desk.csrfToken,
      },
      body: JSON.stringify({ mergedId: duplicateId }),
    });
    expect(res.status, await res.text()).toBe(200);

    const page = await newPage();
    await withScreenshotOnFailure(page, 'mpi-clinician', async () => {
      await signIn(page, 'clinician');
      await page.getByRole('link', { name: 'Patients' }).waitFor();
      expect(await page.getByRole('link', { name: 'Duplicates' }).count()).toBe(0);
      await page.goto(`${app.url}/patients/${keptId}?tab=sources`);
      await page.getByRole('table', { name: 'Golden record fields' }).waitFor();
      await page.getByTestId('merge-row').getByText('In force').waitFor();
      expect(await page.getByRole('button', { name: 'Unmerge' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'More actions' }).count()).toBe(0);
      await page.goto(`${app.url}/mpi/reviews`);
      await page.getByText('Not available for your role').waitFor();
    });
    await page.context().close();
  });
});

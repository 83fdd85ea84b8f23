import type { CsvImportRequest, CsvImportResult } from '@careloop/core';
import {
  Alert,
  Anchor,
  Button,
  Group,
  Paper,
  Progress,
  Stack,
  Stepper,
  Text,
  Title,
} from '@mantine/core';
import { IconArrowLeft, IconArrowRight, IconUpload } from '@tabler/icons-react';
import { useReducer, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../ui/states';
import { type ImportMode, runImport, useCsrfToken } from './api';
import { Counts } from './Counts';
import { MapStep, mappingIssues } from './MapStep';
import { OutcomeTable } from './OutcomeTable';
import { ReadStep } from './ReadStep';
import { UploadStep } from './UploadStep';
import { initialState, STEPS, type WizardState, wizardReducer } from './wizard';

interface RunState {
  mode: ImportMode;
  done: number;
  total: number;
  /** `performance.now()` when the run started, for the rate and the time left. */
  startedAt: number;
}

/** "about 3 min left" from the rate so far; nothing until a chunk has finished. */
function timeLeft(run: RunState): string | null {
  const seconds = (performance.now() - run.startedAt) / 1000;
  if (run.done === 0 || seconds < 1) return null;
  const left = ((run.total - run.done) * seconds) / run.done;
  if (left < 60) return `${Math.max(1, Math.round(left))} s left`;
  return `about ${Math.round(left / 60)} min left`;
}

function requestOf(state: WizardState): CsvImportRequest | null {
  if (!state.file || !state.reading) return null;
  return {
    type: state.reading.type,
    fileName: state.file.name,
    text: state.file.text,
    delimiter: state.reading.delimiter,
    headerLine: state.reading.headerLine,
    dateOrder: state.reading.dateOrder,
    mapping: state.mapping,
  };
}

function RunProgress({ run }: { run: RunState }) {
  const percent = run.total > 0 ? Math.round((run.done / run.total) * 100) : 0;
  return (
    <Stack gap={4} data-testid="import-progress">
      <Text size="sm">
        {run.mode === 'preview' ? 'Checking' : 'Importing'} rows: {run.done.toLocaleString()} of{' '}
        {run.total.toLocaleString()}
        {timeLeft(run) ? ` (${timeLeft(run)})` : ''}
      </Text>
      <Progress value={percent} animated striped aria-label="Import progress" />
    </Stack>
  );
}

/**
 * The CSV import wizard: upload, read (delimiter, header row, dates), map columns, check every
 * row in a dry run (nothing is written), import with progress, summary. Each step is a state of
 * one reducer; going back keeps what was chosen.
 */
export function ImportPage() {
  const [state, dispatch] = useReducer(wizardReducer, initialState);
  const [run, setRun] = useState<RunState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const csrfToken = useCsrfToken();
  const active = STEPS.indexOf(state.step);

  const start = async (mode: ImportMode): Promise<CsvImportResult | null> => {
    const request = requestOf(state);
    if (!request) return null;
    setError(null);
    const startedAt = performance.now();
    setRun({ mode, done: 0, total: state.parsed?.table.rows.length ?? 0, startedAt });
    try {
      return await runImport(mode, request, csrfToken, (done, total) =>
        setRun({ mode, done, total, startedAt }),
      );
    } catch (failure) {
      setError(errorMessage(failure));
      return null;
    } finally {
      setRun(null);
    }
  };

  const validate = async () => {
    dispatch({ type: 'go', step: 'validate' });
    const preview = await start('preview');
    if (preview) dispatch({ type: 'previewed', preview });
  };

  const commit = async () => {
    dispatch({ type: 'go', step: 'import' });
    const result = await start('commit');
    if (result) dispatch({ type: 'imported', result });
  };

  const columns = (state.parsed?.table.columns ?? [])
    .map((name, at) => ({ name, at }))
    .filter((c) => state.mapping.some((m) => m.column === c.name));
  const importable = state.preview ? state.preview.rows - state.preview.counts.rejected : 0;
  const back = (step: (typeof STEPS)[number]) => (
    <Button
      variant="default"
      leftSection={<IconArrowLeft size={16} />}
      onClick={() => dispatch({ type: 'go', step })}
      disabled={run !== null}
    >
      Back
    </Button>
  );

  return (
    <Stack gap="md">
      <Title order={2}>Import</Title>
      <Stepper active={active} size="sm" allowNextStepsSelect={false}>
        <Stepper.Step label="Upload" description="Choose a file">
          <UploadStep
            onLoaded={(file, importType) => dispatch({ type: 'file-loaded', file, importType })}
          />
        </Stepper.Step>
        <Stepper.Step label="Read" description="Delimiter and header">
          <Stack gap="md">
            <ReadStep
              state={state}
              onChange={(reading) => dispatch({ type: 'reading-changed', reading })}
            />
            <Group>
              {back('upload')}
              <Button
                rightSection={<IconArrowRight size={16} />}
                disabled={!state.parsed}
                onClick={() => dispatch({ type: 'go', step: 'map' })}
              >
                Next: map columns
              </Button>
            </Group>
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Map" description="Columns to fields">
          <Stack gap="md">
            <MapStep
              state={state}
              onChange={(column, field) => dispatch({ type: 'mapping-changed', column, field })}
            />
            <Group>
              {back('read')}
              <Button
                rightSection={<IconArrowRight size={16} />}
                disabled={mappingIssues(state).length > 0}
                onClick={() => void validate()}
              >
                Next: check every row
              </Button>
            </Group>
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Check" description="Dry run">
          <Stack gap="md">
            {run ? <RunProgress run={run} /> : null}
            {error ? (
              <Alert color="red" title="The check could not finish">
                {error}
              </Alert>
            ) : null}
            {state.preview ? (
              <>
                <Text size="sm" c="dimmed">
                  Dry run: nothing has been written. This is what the import will do.
                </Text>
                <Counts result={state.preview} />
                <OutcomeTable
                  result={state.preview}
                  rows={state.parsed?.table.rows ?? []}
                  columns={columns}
                  done={false}
                />
              </>
            ) : null}
            <Group>
              {back('map')}
              <Button
                leftSection={<IconUpload size={16} />}
                disabled={!state.preview || importable === 0 || run !== null}
                onClick={() => void commit()}
              >
                Import {importable.toLocaleString()} {importable === 1 ? 'row' : 'rows'}
              </Button>
            </Group>
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Import" description="Write the rows">
          <Stack gap="md">
            {run ? <RunProgress run={run} /> : null}
            {error ? (
              <Alert color="red" title="The import stopped">
                {error} Rows in chunks that finished were kept; importing the file again continues
                without duplicating them.
              </Alert>
            ) : null}
            {error ? <Group>{back('validate')}</Group> : null}
          </Stack>
        </Stepper.Step>
        <Stepper.Completed>
          {state.result ? (
            <Paper withBorder p="md">
              <Stack gap="md">
                <Title order={3} data-testid="import-done">
                  Imported {state.result.fileName}
                </Title>
                <Counts result={state.result} />
                {state.result.counts.review > 0 ? (
                  <Alert color="orange" title="Possible duplicates">
                    {state.result.counts.review} new patients look like existing ones.{' '}
                    <Anchor component={Link} to="/mpi/reviews">
                      Open the review queue
                    </Anchor>
                  </Alert>
                ) : null}
                <OutcomeTable
                  result={state.result}
                  rows={state.parsed?.table.rows ?? []}
                  columns={columns}
                  done
                />
                <Group>
                  <Button variant="default" onClick={() => dispatch({ type: 'restart' })}>
                    Import another file
                  </Button>
                  {state.result.type === 'patients' ? (
                    <Button component={Link} to="/patients" variant="light">
                      Go to patients
                    </Button>
                  ) : null}
                </Group>
              </Stack>
            </Paper>
          ) : null}
        </Stepper.Completed>
      </Stepper>
    </Stack>
  );
}

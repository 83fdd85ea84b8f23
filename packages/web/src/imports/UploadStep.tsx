import { IMPORT_TYPES, type ImportType, MAX_IMPORT_BYTES } from '@careloop/core';
import {
  Alert,
  Button,
  FileInput,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Text,
} from '@mantine/core';
import { IconFileSpreadsheet, IconInfoCircle } from '@tabler/icons-react';
import { useState } from 'react';
import type { LoadedFile } from './wizard';
import { isWorkbook, readWorkbook, type WorkbookSheet } from './workbook';

const TYPE_LABELS: Record<ImportType, string> = {
  patients: 'Patients',
  appointments: 'Appointments',
};

/** Step 1: what the file holds, and the file itself (read in the browser; nothing is sent yet). */
export function UploadStep({
  onLoaded,
}: {
  onLoaded: (file: LoadedFile, type: ImportType) => void;
}) {
  const [type, setType] = useState<ImportType>('patients');
  const [error, setError] = useState<string | null>(null);
  const [workbook, setWorkbook] = useState<{ name: string; sheets: WorkbookSheet[] } | null>(null);
  const [sheet, setSheet] = useState<string | null>(null);

  const chooseSheet = (name: string, chosen: WorkbookSheet) =>
    // The sheet's name is part of the file name, so each sheet is its own source of records.
    onLoaded({ name: `${name}#${chosen.name}`, size: chosen.csv.length, text: chosen.csv }, type);

  const load = async (file: File | null) => {
    setError(null);
    setWorkbook(null);
    if (!file) return;
    if (/\.(xls|ods|numbers)$/i.test(file.name)) {
      setError('Only .xlsx workbooks are read directly: save this one as .xlsx or as CSV (UTF-8).');
      return;
    }
    if (file.size > MAX_IMPORT_BYTES) {
      setError(
        `${file.name} is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it into smaller files.`,
      );
      return;
    }
    if (isWorkbook(file.name)) {
      try {
        const sheets = await readWorkbook(file);
        const [only] = sheets;
        if (!only) setError(`${file.name} has no sheet with data.`);
        else if (sheets.length === 1) chooseSheet(file.name, only);
        else {
          setWorkbook({ name: file.name, sheets });
          setSheet(only.name);
        }
      } catch {
        setError(`${file.name} could not be read as an Excel workbook.`);
      }
      return;
    }
    onLoaded({ name: file.name, size: file.size, text: await file.text() }, type);
  };
  const chosen = workbook?.sheets.find((s) => s.name === sheet);

  return (
    <Stack gap="md" maw={560}>
      <div>
        <Text size="sm" fw={500} mb={4}>
          The file holds
        </Text>
        <SegmentedControl
          aria-label="The file holds"
          value={type}
          onChange={(value) => setType(IMPORT_TYPES.find((t) => t === value) ?? 'patients')}
          data={IMPORT_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
        />
      </div>
      <FileInput
        label="File"
        description="CSV or TSV text (comma, semicolon, tab or pipe) or an Excel .xlsx workbook, up to 20 MB"
        placeholder="Choose a file"
        accept=".csv,.tsv,.txt,.xlsx,text/csv,text/tab-separated-values,text/plain"
        leftSection={<IconFileSpreadsheet size={18} />}
        onChange={(file) => void load(file)}
        error={error}
        clearable
      />
      {workbook ? (
        <Group align="flex-end">
          <Select
            label="Sheet"
            w={260}
            allowDeselect={false}
            value={sheet}
            data={workbook.sheets.map((s) => ({
              value: s.name,
              label: `${s.name} (${s.rows} rows)`,
            }))}
            onChange={setSheet}
          />
          <Button disabled={!chosen} onClick={() => chosen && chooseSheet(workbook.name, chosen)}>
            Use this sheet
          </Button>
        </Group>
      ) : null}
      <Alert variant="light" color="gray" icon={<IconInfoCircle size={18} />}>
        Nothing is written until you confirm the import: the next steps only read the file and check
        every row. A workbook's sheet is read as it is shown, dates included; older .xls files must
        be saved as .xlsx or CSV first.
      </Alert>
    </Stack>
  );
}

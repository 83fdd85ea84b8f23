import { IMPORT_TYPES, type ImportType, MAX_IMPORT_BYTES } from '@careloop/core';
import { Alert, FileInput, SegmentedControl, Stack, Text } from '@mantine/core';
import { IconFileSpreadsheet, IconInfoCircle } from '@tabler/icons-react';
import { useState } from 'react';
import type { LoadedFile } from './wizard';

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

  const load = async (file: File | null) => {
    setError(null);
    if (!file) return;
    if (/\.(xlsx|xls|ods|numbers)$/i.test(file.name)) {
      setError(
        'Spreadsheets are not read directly yet: save the sheet as CSV (UTF-8) and choose that file.',
      );
      return;
    }
    if (file.size > MAX_IMPORT_BYTES) {
      setError(
        `${file.name} is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it into smaller files.`,
      );
      return;
    }
    onLoaded({ name: file.name, size: file.size, text: await file.text() }, type);
  };

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
        description="CSV or TSV text (comma, semicolon, tab or pipe), up to 20 MB"
        placeholder="Choose a file"
        accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain"
        leftSection={<IconFileSpreadsheet size={18} />}
        onChange={(file) => void load(file)}
        error={error}
        clearable
      />
      <Alert variant="light" color="gray" icon={<IconInfoCircle size={18} />}>
        Nothing is written until you confirm the import: the next steps only read the file and check
        every row. Excel workbooks: save the sheet as “CSV UTF-8” first.
      </Alert>
    </Stack>
  );
}

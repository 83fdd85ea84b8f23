import { CLINICAL_NOTE_CATEGORY, mayReadNote, type Note } from '@careloop/core';
import { Alert, Badge, Button, Group, Paper, Select, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useCan, useCurrentUser } from '../../auth/session';
import { formatDateTime } from '../../ui/format';
import { showServerError } from '../../ui/server-errors';
import { EmptyMessage, errorMessage, HiddenForRole } from '../../ui/states';
import { useAddNote, useUpdateNote } from '../api';

const CATEGORIES = [
  { value: 'general', label: 'General' },
  { value: 'phone-call', label: 'Phone call' },
  { value: 'scheduling', label: 'Scheduling' },
  { value: 'billing', label: 'Billing' },
  { value: 'care-coordination', label: 'Care coordination' },
  // Marked clinical: only roles the minimum-necessary policy lets read clinical notes see it.
  { value: CLINICAL_NOTE_CATEGORY, label: 'Clinical' },
];

const categoryLabel = (value: string) => CATEGORIES.find((c) => c.value === value)?.label ?? value;

function AddNoteForm({ patientId }: { patientId: string }) {
  const { role } = useCurrentUser();
  const add = useAddNote(patientId);
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { body: '', category: 'general' },
    validate: { body: (v) => (v.trim() ? null : 'Write the note first') },
  });
  const submit = form.onSubmit((values) => {
    setFormError(null);
    add.mutate(
      { body: values.body.trim(), category: values.category },
      {
        onSuccess: () => {
          form.reset();
          notifications.show({ color: 'teal', message: 'Note added' });
        },
        onError: (error) => setFormError(showServerError(form, error, ['body', 'category'])),
      },
    );
  });
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} noValidate>
        <Stack gap="xs">
          {formError ? <Alert color="red">{formError}</Alert> : null}
          <Textarea
            label="New note"
            autosize
            minRows={3}
            maxRows={12}
            {...form.getInputProps('body')}
          />
          <Group justify="space-between" align="flex-end">
            <Select
              label="Category"
              data={CATEGORIES.filter((c) => mayReadNote(role, c.value))}
              allowDeselect={false}
              w={200}
              {...form.getInputProps('category')}
            />
            <Button type="submit" loading={add.isPending}>
              Add note
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function NoteCard({
  note,
  patientId,
  canEdit,
}: {
  note: Note;
  patientId: string;
  canEdit: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(note.body);
  const update = useUpdateNote(patientId);
  const save = () =>
    update.mutate(
      // The category goes along: the server would reset a missing one to its default.
      { id: note.id, body: draft.trim(), category: note.category },
      {
        onSuccess: () => setEditing(false),
        onError: (error) =>
          notifications.show({
            color: 'red',
            title: 'Could not save the note',
            message: errorMessage(error),
          }),
      },
    );
  return (
    <Paper withBorder p="md" data-testid="note">
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Badge variant="light">{categoryLabel(note.category)}</Badge>
          <Text size="sm" fw={500}>
            {note.authorName}
          </Text>
          <Text size="xs" c="dimmed">
            {formatDateTime(note.createdAt)}
            {note.updatedAt !== note.createdAt ? ` · edited ${formatDateTime(note.updatedAt)}` : ''}
          </Text>
        </Group>
        {canEdit && !editing ? (
          <Button
            variant="subtle"
            size="compact-xs"
            onClick={() => {
              setDraft(note.body);
              setEditing(true);
            }}
          >
            Edit
          </Button>
        ) : null}
      </Group>
      {editing ? (
        <Stack gap="xs">
          <Textarea
            label="Edit note"
            autosize
            minRows={3}
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button variant="default" size="xs" onClick={() => setEditing(false)}>
              Cancel
            </Button>
            <Button size="xs" onClick={save} loading={update.isPending} disabled={!draft.trim()}>
              Save
            </Button>
          </Group>
        </Stack>
      ) : (
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {note.body}
        </Text>
      )}
    </Paper>
  );
}

export function NotesTab({ patientId, notes }: { patientId: string; notes: Note[] | null }) {
  const canWrite = useCan('note:write');
  return (
    <Stack>
      {/* Front desk may add a note without reading the clinical ones (write, not read). */}
      {canWrite ? <AddNoteForm patientId={patientId} /> : null}
      {notes === null ? (
        <HiddenForRole what="Care-team notes" />
      ) : notes.length === 0 ? (
        <EmptyMessage title="No notes yet" />
      ) : (
        notes.map((note) => (
          <NoteCard key={note.id} note={note} patientId={patientId} canEdit={canWrite} />
        ))
      )}
    </Stack>
  );
}

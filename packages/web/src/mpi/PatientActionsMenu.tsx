import type { Patient360 } from '@careloop/core';
import { Button, Menu } from '@mantine/core';
import { IconArrowMerge, IconChevronDown } from '@tabler/icons-react';
import { useCan } from '../auth/session';
import { MergeDuplicateModal } from './MergeDuplicateModal';
import { useDialog } from './use-dialog';

/** Less frequent actions on a patient record; nothing to show when the role can do none. */
export function PatientActionsMenu({ record }: { record: Patient360 }) {
  const canMerge = useCan('patient:merge');
  const merging = useDialog<'merge'>();
  if (!canMerge || record.patient.status === 'merged') return null;
  return (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button variant="default" size="xs" rightSection={<IconChevronDown size={14} />}>
            More actions
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item
            leftSection={<IconArrowMerge size={14} />}
            onClick={() => merging.open('merge')}
          >
            Merge a duplicate…
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <MergeDuplicateModal
        record={record}
        opened={merging.opened}
        session={merging.session}
        onClose={merging.close}
      />
    </>
  );
}

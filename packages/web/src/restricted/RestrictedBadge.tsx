import { Badge, Tooltip } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';

/** A restricted patient's mark in lists and headers: the record is for its care team. */
export function RestrictedBadge({ kind }: { kind?: string | null }) {
  return (
    <Tooltip label="Restricted record: its care team sees it; others break the glass">
      <Badge
        color="red"
        variant="light"
        leftSection={<IconLock size={12} />}
        data-testid="restricted-badge"
      >
        {kind ? `Restricted · ${kind}` : 'Restricted'}
      </Badge>
    </Tooltip>
  );
}

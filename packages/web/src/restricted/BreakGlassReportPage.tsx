import { Anchor, Paper, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '../ui/format';
import { LoadMore } from '../ui/LoadMore';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../ui/states';
import { useBreakGlassReport } from './api';

/** For admins and privacy officers: every break-glass access, newest first. */
export function BreakGlassReportPage() {
  const report = useBreakGlassReport();
  return (
    <>
      <Title order={2} mb="xs">
        Break-glass report
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        Each time someone outside a restricted patient’s care team opened the record, with the
        reason they gave and when their access ended.
      </Text>
      <Paper withBorder p="md">
        {report.isPending ? (
          <LoadingRows />
        ) : report.isError ? (
          <ErrorMessage error={report.error} onRetry={() => report.refetch()} />
        ) : report.items.length === 0 ? (
          <EmptyMessage
            title="No break-glass access"
            description="No restricted record was opened outside its care team."
          />
        ) : (
          <Table aria-label="Break-glass accesses" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>Patient</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th>Access until</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.items.map((row) => (
                <Table.Tr key={row.id} data-testid="break-glass-row">
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {formatDateTime(row.grantedAt)}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{row.userName}</Text>
                    <Text size="xs" c="dimmed">
                      {row.userRole}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/patients/${row.patientId}`} size="sm">
                      {row.patientName}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{row.reason}</Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {formatDateTime(row.expiresAt)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <LoadMore
          hasNextPage={report.hasNextPage}
          isFetchingNextPage={report.isFetchingNextPage}
          fetchNextPage={report.fetchNextPage}
        />
      </Paper>
    </>
  );
}

import { Alert, Textarea } from '@mantine/core';
import { errorMessage } from '../ui/states';

/** The API's limit on a decision's reason (merge, unmerge, review decision). */
const REASON_MAX = 500;

/** The optional reason a merge, unmerge or review decision records in the audit trail. */
export function ReasonField({
  value,
  onChange,
}: {
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Textarea
      label="Reason"
      description="Optional; kept in the audit trail"
      autosize
      minRows={2}
      maxLength={REASON_MAX}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}

/** Why the decision failed, in the server's words; nothing while it has not. */
export function DecisionError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert">
      {errorMessage(error)}
    </Alert>
  );
}

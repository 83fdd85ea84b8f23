import type { FhirImport, FhirImportQuery } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { useCursorList } from '../api/cursor-list';

export const HL7_STATUSES = ['received', 'processed', 'error', 'rejected'] as const;
export type Hl7Status = (typeof HL7_STATUSES)[number];

/**
 * A row of the HL7 message log (GET /api/hl7/messages). A message about a patient the reader
 * may not open comes back `restricted`, without its text: the page shows the row, not the text.
 */
export interface Hl7Message {
  id: string;
  receivedAt: string;
  processedAt: string | null;
  status: Hl7Status;
  ackCode: string | null;
  controlId: string;
  messageType: string;
  triggerEvent: string;
  sendingApplication: string | null;
  sendingFacility: string | null;
  channel: string;
  error: string | null;
  errorLocation: string | null;
  replayable: boolean;
  attempts: number;
  patientId: string | null;
  restricted?: boolean;
}

export interface Hl7MessageWithText extends Hl7Message {
  raw?: string | null;
}

const hl7Keys = { all: ['hl7-messages'] as const };

export function useHl7Messages(filters: { status?: Hl7Status; type?: string }) {
  return useCursorList<Hl7Message>(hl7Keys.all, '/api/hl7/messages', { ...filters, limit: 50 });
}

export function useHl7Message(id: string | null) {
  return useQuery({
    queryKey: [...hl7Keys.all, 'one', id],
    queryFn: () => api.get<Hl7MessageWithText>(`/api/hl7/messages/${encodeURIComponent(id ?? '')}`),
    enabled: id !== null,
  });
}

export function useReplayHl7() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api.post<{ message: Hl7Message; ack: string }>(
        `/api/hl7/messages/${encodeURIComponent(id)}/replay`,
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: hl7Keys.all }),
  });
}

export function useFhirImports(filters: Omit<FhirImportQuery, 'cursor' | 'limit'>) {
  return useCursorList<FhirImport>(['fhir-imports'], '/api/fhir/imports', {
    ...filters,
    limit: 50,
  });
}

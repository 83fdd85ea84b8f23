import { type FhirImportQuery, type Hl7Status, routes } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { useRouteList } from '../api/cursor-list';

/**
 * The HL7 message log (GET /api/hl7/messages). A message about a patient the reader may not
 * open comes back `restricted`, without its text: the page shows the row, not the text.
 */
const hl7Keys = { all: ['hl7-messages'] as const };

export function useHl7Messages(filters: { status?: Hl7Status; type?: string }) {
  return useRouteList(hl7Keys.all, routes.hl7.list, { query: { ...filters, limit: 50 } });
}

export function useHl7Message(id: string | null) {
  return useQuery({
    queryKey: [...hl7Keys.all, 'one', id],
    queryFn: () => api.call(routes.hl7.get, { params: { id: id ?? '' } }),
    enabled: id !== null,
  });
}

export function useReplayHl7() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.call(routes.hl7.replay, { params: { id } }),
    onSuccess: () => client.invalidateQueries({ queryKey: hl7Keys.all }),
  });
}

export function useFhirImports(filters: Omit<FhirImportQuery, 'cursor' | 'limit'>) {
  return useRouteList(['fhir-imports'], routes.fhir.imports, { query: { ...filters, limit: 50 } });
}

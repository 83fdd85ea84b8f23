import { type PreRegistrationInput, routes } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

const MINE_KEY = ['portal', 'pre-registration'] as const;

/** The patient's latest pre-registration and each upcoming visit's state. */
export function useMyPreRegistration() {
  return useQuery({
    queryKey: MINE_KEY,
    queryFn: () => api.call(routes.preRegistration.mine),
    // A visit booked or moved since changes the states: read them again on each page.
    refetchOnMount: 'always',
  });
}

export function useSubmitPreRegistration() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PreRegistrationInput) => api.call(routes.preRegistration.submit, { body }),
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: MINE_KEY }),
        client.invalidateQueries({ queryKey: ['portal', 'me'] }),
      ]),
  });
}

/** A file's bytes as base64, for the JSON body (card images). */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('Could not read the file'));
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : '';
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.readAsDataURL(file);
  });
}

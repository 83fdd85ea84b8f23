import { keepPreviousData, type QueryKey, useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, type QueryParams } from './client';

/** The shape of every list endpoint: pass `nextCursor` back as `cursor`; null at the end. */
export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A cursor-paged list as one growing array ("Load more"). The query key includes the
 * filters, so changing a filter starts again from the first page.
 */
export function useCursorList<T, P extends CursorPage<T> = CursorPage<T>>(
  key: QueryKey,
  path: string,
  params: QueryParams,
  enabled = true,
) {
  const query = useInfiniteQuery({
    queryKey: [...key, params],
    queryFn: ({ pageParam }) => api.get<P>(path, { ...params, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
    enabled,
  });
  const items = useMemo(() => query.data?.pages.flatMap((page) => page.items) ?? [], [query.data]);
  /** The first page: what a list says about all of itself (a total) comes with it. */
  const firstPage: P | undefined = query.data?.pages[0];
  return { ...query, items, firstPage };
}

import type { RouteReply, RouteSpec } from '@careloop/core';
import { keepPreviousData, type QueryKey, useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, type CallInput, type QueryParams } from './client';

/** The shape of every list endpoint: pass `nextCursor` back as `cursor`; null at the end. */
export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

type ItemOf<S extends RouteSpec> = RouteReply<S> extends CursorPage<infer I> ? I : never;
type PageOf<S extends RouteSpec> = RouteReply<S> & CursorPage<ItemOf<S>>;

/**
 * A cursor-paged route of the table as one growing array ("Load more"): the items, the filters
 * and the first page are typed by the route. The query key includes the input, so changing a
 * filter starts again from the first page.
 */
export function useRouteList<S extends RouteSpec>(
  key: QueryKey,
  spec: S,
  input: CallInput<S>,
  enabled = true,
) {
  const query = useInfiniteQuery({
    queryKey: [...key, input],
    queryFn: async ({ pageParam }) => {
      const { query: filters } = input as { query?: QueryParams };
      // The cursor is the one query value the caller does not give: the previous page's.
      const page = { ...input, query: { ...filters, cursor: pageParam } } as CallInput<S>;
      return (await api.call(spec, page)) as PageOf<S>;
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
    enabled,
  });
  const items = useMemo(
    () => query.data?.pages.flatMap((page): ItemOf<S>[] => page.items) ?? [],
    [query.data],
  );
  const firstPage: PageOf<S> | undefined = query.data?.pages[0];
  return { ...query, items, firstPage };
}

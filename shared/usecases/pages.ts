import type { Page, PageRequest } from '../ports/tenancy';

/** Every item of a paged listing, 100 at a time (for jobs and overviews, not for request paths). */
export const everyPage = async <T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> => {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: 100, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
};

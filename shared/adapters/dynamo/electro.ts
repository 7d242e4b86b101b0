/** Shared ElectroDB helpers: cursor paging and transaction outcomes. */
import { invalid, type DomainError } from '../../domain/errors';
import type { Page, PageRequest } from '../../ports/tenancy';

/** ElectroDB rejects cursors it did not mint; that is the caller's mistake, not a server error. */
export const paged = async <T, R>(
  page: PageRequest,
  run: (options: { count: number; cursor: string | null }) => Promise<{ data: T[]; cursor: string | null }>,
  map: (item: T) => R,
): Promise<Page<R>> => {
  try {
    const { data, cursor } = await run({ count: page.limit, cursor: page.cursor ?? null });
    return { items: data.map(map), nextCursor: cursor };
  } catch (err) {
    if (page.cursor && (err as { isElectroError?: boolean }).isElectroError)
      throw invalid('The cursor is not valid');
    throw err;
  }
};

type TxResult = { canceled: boolean; data: { rejected: boolean; code: string }[] };
/** Index of the first rejected operation of a cancelled transaction, or -1 when it went through. */
const rejectedAt = (result: TxResult): number =>
  result.canceled ? result.data.findIndex((r) => r.rejected && r.code === 'ConditionalCheckFailed') : -1;
export const assertCommitted = (
  result: TxResult,
  onConditionFailure: (index: number) => DomainError,
): void => {
  if (!result.canceled) return;
  const index = rejectedAt(result);
  if (index >= 0) throw onConditionFailure(index);
  throw new Error(`Transaction cancelled: ${result.data.map((r) => r.code).join(', ')}`);
};

/** Identity of P&L facts: re-feeding or re-posting the same source reference never duplicates. */
import { hash } from 'node:crypto';

/** Id of a cost entry or revenue: one per enterprise, source and source reference. */
export const factId = (enterpriseId: string, source: string, reference: string): string =>
  hash('sha256', `${enterpriseId}|${source}|${reference}`, 'hex').slice(0, 32);

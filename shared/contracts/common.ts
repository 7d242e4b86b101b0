import * as z from 'zod';
import { errorCodes } from '../domain/errors';

export { errorCodes, type ErrorCode } from '../domain/errors';

export const ErrorEnvelope = z.object({
  success: z.literal(false),
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

export const successEnvelope = <T extends z.ZodType>(data: T) =>
  z.object({ success: z.literal(true), data, meta: z.object({ requestId: z.string() }).loose() });

/** Identifiers minted by Tollgate (ULIDs) or by callers' path segments: short and URL-safe. */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, "_" or "-"');

/** Money and prices travel as decimal strings, never as JSON numbers (ARCHITECTURE §6). */
export const DecimalString = z
  .string()
  .regex(/^-?\d{1,24}(\.\d{1,14})?$/, 'must be a decimal string such as "12.50"');
export const NonNegativeDecimalString = DecimalString.refine(
  (v) => !v.startsWith('-'),
  'must not be negative',
);

export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"');

export const Timestamp = z.iso.datetime();

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const EmptyObject = z.strictObject({});

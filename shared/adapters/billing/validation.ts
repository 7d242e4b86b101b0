/** Validation shared by the bill sources: messages name fields and rules, never values (they may be secrets). */
import type * as z from 'zod';

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, label: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.')} ${issue.message === 'missing' ? 'missing' : 'invalid'}`,
  );
  throw new Error(`${label}: ${problems.join(', ')}`);
}

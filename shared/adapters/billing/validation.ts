/** Validation shared by the bill and balance sources: messages name fields and rules, never values (they may be secrets). */
import type * as z from 'zod';

/**
 * One problem per issue: `field missing`, `field invalid`, `field unknown` for a key a strict schema
 * does not know, or a refinement's own text (written in code, so it never quotes a value).
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    const path = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${path ? `${path}.` : ''}${key} unknown`);
    }
    if (issue.message === 'missing') return [`${path} missing`];
    return [`${path} ${issue.code === 'custom' ? issue.message : 'invalid'}`];
  });
}

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, label: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new Error(`${label}: ${describeIssues(result.error.issues).join(', ')}`);
}

/**
 * The CLI's error vocabulary: the six codes of the Optima-style contract agents rely on, each with
 * its own exit code, and the mapping from everything else (API codes, HTTP statuses, commander
 * usage errors, zod issues) onto them.
 */
import { CommanderError } from 'commander';
import type { z } from 'zod';
import type { ErrorCode } from '../shared/contracts/common';

/** One exit code per error code, so a script can branch without parsing the output. */
export const exitCodes = {
  SERVER_ERROR: 1,
  VALIDATION_ERROR: 2,
  UNAUTHORIZED: 3,
  FORBIDDEN: 4,
  NOT_FOUND: 5,
  TIMEOUT: 6,
} as const;
export type CliErrorCode = keyof typeof exitCodes;

/** What each code means, for `--help` (the API codes folded into it in parentheses). */
export const codeMeanings: Record<CliErrorCode, string> = {
  SERVER_ERROR: 'the API failed (UPSTREAM_ERROR)',
  VALIDATION_ERROR: 'bad option or argument, nothing sent; or the API refused the input (CONFLICT, ...)',
  UNAUTHORIZED: 'not logged in or the key is invalid: tollgate auth login --api-key <key>',
  FORBIDDEN: "the key's role may not do this (QUOTA_EXCEEDED)",
  NOT_FOUND: 'no such resource or route',
  TIMEOUT: 'no answer within --timeout, API unreachable, or RATE_LIMITED: retry later',
};

/** An expected failure: printed as the error envelope, never with a stack trace. */
export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * The API's codes folded into the CLI's six. The original code stays in `details.apiCode`.
 * CONFLICT and the payload codes are requests to fix, RATE_LIMITED is "retry later" like a timeout,
 * QUOTA_EXCEEDED is a limit that denies the request.
 */
const fromApiCode: Record<ErrorCode, CliErrorCode> = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  PAYLOAD_TOO_LARGE: 'VALIDATION_ERROR',
  UNSUPPORTED_MEDIA_TYPE: 'VALIDATION_ERROR',
  CONFLICT: 'VALIDATION_ERROR',
  QUOTA_EXCEEDED: 'FORBIDDEN',
  RATE_LIMITED: 'TIMEOUT',
  UPSTREAM_ERROR: 'SERVER_ERROR',
  TIMEOUT: 'TIMEOUT',
  SERVER_ERROR: 'SERVER_ERROR',
};

/** The CLI code of an API error code. */
export const cliCodeOfApiCode = (code: ErrorCode): CliErrorCode => fromApiCode[code];

/** The CLI code of an HTTP status, for answers that are not the API's error envelope (proxies). */
export const cliCodeOfStatus = (status: number): CliErrorCode => {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404 || status === 405 || status === 410) return 'NOT_FOUND';
  if (status === 408 || status === 429 || status === 504) return 'TIMEOUT';
  if (status >= 400 && status < 500) return 'VALIDATION_ERROR';
  return 'SERVER_ERROR';
};

/** A VALIDATION_ERROR listing zod's issues as `path: message`. */
export const fromZodError = (what: string, error: z.ZodError): CliError => {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return new CliError('VALIDATION_ERROR', `${what}: ${text}`, { issues });
};

/** Anything thrown, as a CliError: commander's usage errors are VALIDATION_ERROR, the rest SERVER_ERROR. */
export const toCliError = (err: unknown): CliError => {
  if (err instanceof CliError) return err;
  if (err instanceof CommanderError)
    return new CliError('VALIDATION_ERROR', err.message.replace(/^error: /, ''), {
      hint: 'see `tollgate <command> --help`',
    });
  return new CliError('SERVER_ERROR', err instanceof Error ? err.message : String(err));
};

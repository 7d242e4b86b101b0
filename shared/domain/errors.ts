/** Stable error codes of the one error envelope (ARCHITECTURE §8). */
export const errorCodes = [
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'VALIDATION_ERROR',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'CONFLICT',
  'QUOTA_EXCEEDED',
  'RATE_LIMITED',
  'UPSTREAM_ERROR',
  'TIMEOUT',
  'SERVER_ERROR',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/**
 * The one error type the domain throws. Its code is one of the stable API error codes; the HTTP
 * runtime maps codes to status codes in a single table (shared/runtime/errors.ts).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, id: string): DomainError =>
  new DomainError('NOT_FOUND', `${what} ${id} was not found`);
export const conflict = (message: string, details?: unknown): DomainError =>
  new DomainError('CONFLICT', message, details);
export const forbidden = (message = 'You are not allowed to do this'): DomainError =>
  new DomainError('FORBIDDEN', message);
export const invalid = (message: string, details?: unknown): DomainError =>
  new DomainError('VALIDATION_ERROR', message, details);

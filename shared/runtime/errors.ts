import type { z } from 'zod';
import { DomainError, type ErrorCode } from '../domain/errors';

/** The one table from error code to HTTP status. */
export const statusOf: Record<ErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION_ERROR: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CONFLICT: 409,
  QUOTA_EXCEEDED: 429,
  RATE_LIMITED: 429,
  UPSTREAM_ERROR: 502,
  TIMEOUT: 504,
  SERVER_ERROR: 500,
};

export interface ErrorBody {
  success: false;
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Where in the request a validation issue was found, in zod's path notation prefixed by the part. */
export const zodDetails = (part: string, error: z.ZodError) =>
  error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code,
  }));

/** http-errors thrown by middy middlewares (body parser) carry a statusCode. */
const httpErrorCode = (status: number): ErrorCode | undefined =>
  status === 413
    ? 'PAYLOAD_TOO_LARGE'
    : status === 415
      ? 'UNSUPPORTED_MEDIA_TYPE'
      : status === 422 || status === 400
        ? 'VALIDATION_ERROR'
        : undefined;

/** Maps anything thrown to the envelope; unknown errors become a bare SERVER_ERROR (no internals leak). */
export const toErrorResponse = (err: unknown): { status: number; body: ErrorBody; expected: boolean } => {
  if (err instanceof DomainError) {
    return {
      status: statusOf[err.code],
      body: {
        success: false,
        error: {
          code: err.code,
          message: err.message,
          ...(err.details === undefined ? {} : { details: err.details }),
        },
      },
      expected: err.code !== 'SERVER_ERROR',
    };
  }
  const status = (err as { statusCode?: number })?.statusCode;
  const code = typeof status === 'number' ? httpErrorCode(status) : undefined;
  if (code) {
    const message =
      code === 'VALIDATION_ERROR' ? 'The request body is not valid JSON' : (err as Error).message;
    return { status: statusOf[code], body: { success: false, error: { code, message } }, expected: true };
  }
  return {
    status: 500,
    body: { success: false, error: { code: 'SERVER_ERROR', message: 'Internal error' } },
    expected: false,
  };
};

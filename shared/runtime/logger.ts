import { Logger } from '@aws-lambda-powertools/logger';

/** Keys whose values are always secrets, whatever they hold. */
const SECRET_KEY = /(^|_|-)(api[-_]?key|apikey|authorization|password|secret|token|credential|key)$/i;
/** Values that look like keys even under innocent names (our own keys, common provider keys, JWTs). */
const SECRET_VALUE =
  /(tg_|tgadm_)[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g;
const REDACTED = '[REDACTED]';

/** JSON replacer applied to every log line: secrets never reach the logs. */
export const redactSecrets = (key: string, value: unknown): unknown => {
  if (key && SECRET_KEY.test(key) && value !== null && typeof value !== 'object') return REDACTED;
  if (typeof value === 'string') return value.replace(SECRET_VALUE, REDACTED);
  return value;
};

/** One logger per process (Powertools: JSON, correlation ids, sampling via env). */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'tollgate',
  jsonReplacerFn: redactSecrets,
});

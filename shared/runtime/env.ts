import * as z from 'zod';

/**
 * The environment every function reads, parsed once per module load. The CDK stacks and the local
 * runtime set exactly these variables; service endpoints for local stand-ins use the AWS SDK's own
 * `AWS_ENDPOINT_URL_<SERVICE>` variables (DYNAMODB, SQS, SESV2, SECRETS_MANAGER), so no code here
 * knows whether it runs in AWS or locally.
 */
const EnvSchema = z.object({
  STAGE: z.string().default('local'),
  SERVICE_VERSION: z.string().default('0.1.0'),
  TABLE_NAME: z.string().min(1).optional(),
  /** `secrets-manager` in AWS, `local-file` for `npm start` and tests. */
  SECRET_STORE: z.enum(['secrets-manager', 'local-file']).default('local-file'),
  /** Secrets Manager name prefix, e.g. `tollgate/prod/`. */
  SECRET_PREFIX: z.string().default('tollgate/local/'),
  /** Directory of the encrypted local secret store (file `secrets.json` and key `secrets.key`). */
  LOCAL_SECRETS_DIR: z.string().default('.tollgate/secrets'),
  /** JWT verification: an inline JWKS (local signing key) or a JWKS URL (Cognito). */
  AUTH_JWKS: z.string().optional(),
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_ISSUER: z.string().default('tollgate-local'),
  AUTH_AUDIENCE: z.string().default('tollgate'),
  /** Largest accepted request body, in bytes. */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Allowed CORS origin for the console. */
  CORS_ORIGIN: z.string().default('*'),
  QUEUE_URL_AUDIT_EVENTS: z.string().optional(),
  QUEUE_URL_BILL_SYNC: z.string().optional(),
  QUEUE_URL_NOTIFICATIONS: z.string().optional(),
  /** Scheduled jobs the jobs API may run: job name → function name or ARN (JSON). */
  JOB_FUNCTIONS: z
    .string()
    .default('{}')
    .transform((text) => z.record(z.string(), z.string()).parse(JSON.parse(text))),
  /** The monthly report state machine (set for functions whose manifest needs `startWorkflow`). */
  STATE_MACHINE_ARN_MONTHLY_REPORT: z.string().optional(),
  /** Tollgate's own gateway (`…/v1`), through which the monthly report asks its model. */
  REPORT_GATEWAY_URL: z.string().url().optional(),
  /** Sender address of e-mail notifications (an SES verified identity in AWS). */
  NOTIFY_FROM_ADDRESS: z.string().default('tollgate@localhost'),
  /**
   * Let webhook channels point at http://127.0.0.1 (fake receivers): the local runtime sets it;
   * deployed stacks never do, so their webhooks must be https to the platforms' own hosts.
   */
  NOTIFY_ALLOW_LOOPBACK_HTTP: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** The bill-sync queue's maxReceiveCount: the worker marks a job failed on its last delivery. */
  QUEUE_MAX_RECEIVES_BILL_SYNC: z.coerce.number().int().positive().default(3),
  /** S3 bucket of uploaded and dropped FOCUS files (AWS); locally LOCAL_BILL_FILES_DIR instead. */
  BILL_FILES_BUCKET: z.string().optional(),
  LOCAL_BILL_FILES_DIR: z.string().default('.tollgate/bill-files'),
  /** Days after a month closes during which the daily sync still fetches it (late charges, credits). */
  BILL_SYNC_GRACE_DAYS: z.coerce.number().int().min(0).max(28).default(5),
  /** How long a sync worker holds an account+period before another may take over (its holder died). */
  BILL_SYNC_LOCK_LEASE_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60_000),
  /** Balance sources checked at the same time by one poll. */
  BALANCE_POLL_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(20),
  /** How long one balance provider call may take. */
  BALANCE_POLL_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** A good reading younger than this is reused instead of calling the provider again. */
  BALANCE_CACHE_TTL_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(5 * 60_000),
  /** Least time between two manual refreshes of one balance source. */
  BALANCE_REFRESH_COOLDOWN_MS: z.coerce.number().int().min(0).default(60_000),
  /** How long a gateway instance's quota lease lives without renewal before it may be reclaimed. */
  GATEWAY_LEASE_TTL_MS: z.coerce.number().int().positive().default(120_000),
  /** How long one provider attempt may take before the gateway tries the next account. */
  GATEWAY_ATTEMPT_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** How long an opened circuit (account, model) stays open before one probe is let through. */
  GATEWAY_CIRCUIT_COOLDOWN_MS: z.coerce.number().int().positive().default(30_000),
  /** How long keys, bindings, accounts and credentials are cached per instance (≤ 60 s). */
  GATEWAY_CACHE_TTL_MS: z.coerce.number().int().positive().max(60_000).default(30_000),
  /** Longest a usage record waits to be written with others (write-behind batches). */
  GATEWAY_METERING_DELAY_MS: z.coerce.number().int().positive().max(60_000).default(50),
  /**
   * Store usage and quota spend once each response is out, before the invocation ends. On by
   * default in Lambda (AWS_LAMBDA_FUNCTION_NAME is set), where an instance may be frozen between
   * invocations; a long-running process batches on timers instead.
   */
  GATEWAY_FLUSH_EACH_RESPONSE: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined : v === 'true')),
  /** Largest quota lease one gateway instance takes at a time, in counter units (tokens, budget micro-units). */
  GATEWAY_MAX_LEASE: z.coerce.number().int().positive().default(50_000),
});
export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

/** Parsed once; `resetEnv()` exists for the local runtime, which sets variables before loading functions. */
export const env = (): Env => (cached ??= EnvSchema.parse(process.env));
export const resetEnv = (): void => {
  cached = undefined;
};

export const required = <K extends keyof Env>(key: K): NonNullable<Env[K]> => {
  const value = env()[key];
  if (value === undefined || value === null) throw new Error(`Missing required environment variable ${key}`);
  return value as NonNullable<Env[K]>;
};

import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';

// CloudWatch accepts only these retention periods; anything else fails at deploy time, so fail at synth.
const allowedRetention = new Set<number>(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'),
);

const StageConfigSchema = z.object({
  /** Becomes part of stack names, the Secrets Manager prefix and `STAGE`. */
  stage: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, 'lowercase letters, digits and dashes, 2-16 chars'),
  /** Left out: the stacks stay environment-agnostic and synth never needs credentials. */
  account: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
    .optional(),
  /** Origin of the admin console, for API Gateway CORS and the functions' `CORS_ORIGIN`. */
  corsOrigin: z.union([z.literal('*'), z.url({ protocol: /^https?$/ })]),
  logRetentionDays: z
    .number()
    .int()
    .refine((days) => allowedRetention.has(days), 'not a CloudWatch Logs retention period'),
  /** DynamoDB and Cognito deletion protection; the table is RETAINed on stack deletion regardless. */
  deletionProtection: z.boolean(),
  /**
   * Cognito Plus tier with threat protection. Billed per active user, hence a per-stage choice;
   * when off, cdk-nag COG8 is acknowledged with that reason.
   */
  cognitoThreatProtection: z.boolean(),
  /**
   * Per-stage schedule expressions replacing the manifest's, by function name, e.g.
   * `{ 'balance-poll': 'rate(5 minutes)' }` (the local runtime keeps the manifest's).
   */
  schedules: z.record(z.string(), z.string().regex(/^(rate|cron)\(.+\)$/)).default({}),
  /** Sender of e-mail notifications and reports: an SES verified identity of the stage's account. */
  notifyFromAddress: z.email(),
  /**
   * Base URL of the stage's own AI gateway (`…/v1`), through which the monthly report asks its
   * model; absent: reports are written by the template.
   */
  gatewayUrl: z.url().optional(),
  /** Default-stage throttling of the HTTP API (requests per second / burst). */
  apiThrottle: z.object({
    rateLimit: z.number().positive(),
    burstLimit: z.number().int().positive(),
  }),
});
export type StageConfig = z.infer<typeof StageConfigSchema>;

const stages = {
  dev: {
    stage: 'dev',
    corsOrigin: '*',
    logRetentionDays: RetentionDays.TWO_WEEKS,
    deletionProtection: false,
    cognitoThreatProtection: false,
    notifyFromAddress: 'alerts@dev.tollgate.example.com',
    apiThrottle: { rateLimit: 50, burstLimit: 100 },
  },
  prod: {
    stage: 'prod',
    // Placeholder until the console's domain exists; deliberately not `*` in prod.
    corsOrigin: 'https://console.tollgate.example.com',
    logRetentionDays: RetentionDays.THREE_MONTHS,
    deletionProtection: true,
    cognitoThreatProtection: false,
    // Placeholder until the stage's SES identity exists.
    notifyFromAddress: 'alerts@tollgate.example.com',
    apiThrottle: { rateLimit: 500, burstLimit: 1000 },
  },
} satisfies Record<string, z.input<typeof StageConfigSchema>>;

export type StageName = keyof typeof stages;
export const stageNames = Object.keys(stages) as StageName[];
export const defaultStage: StageName = 'dev';

/**
 * The validated configuration of one stage (`-c stage=NAME`, default `dev`). `overrides` lets a
 * caller (tests, `-c account=… -c region=…`) adjust fields; the result is validated as a whole.
 */
export const loadStageConfig = (
  name: string = defaultStage,
  overrides: Partial<StageConfig> = {},
): StageConfig => {
  if (!Object.hasOwn(stages, name)) {
    throw new Error(`Unknown stage "${name}"; expected one of: ${stageNames.join(', ')}`);
  }
  const result = StageConfigSchema.safeParse({ ...stages[name as StageName], ...overrides });
  if (!result.success) {
    throw new Error(`Invalid config for stage "${name}":\n${z.prettifyError(result.error)}`);
  }
  return result.data;
};

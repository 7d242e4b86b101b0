/**
 * Every Lambda function of Tollgate, as data. The CDK stacks create one function per entry (with
 * its routes, schedule, queue source and grants) and the local runtime (`npm start`) mounts the
 * same routes, runs the same schedules and feeds the same queues. test/infra/manifest.test.ts
 * proves that every entry has a synthesized resource and a local mount.
 */
import { routeKey, type AuthKind, type HttpMethod, type RouteContract } from '../shared/contracts/route';
import { balanceRoutes } from '../shared/contracts/balance';
import { billRoutes } from '../shared/contracts/bills';
import { notificationRoutes } from '../shared/contracts/notifications';
import { jobRoutes } from '../shared/contracts/jobs';
import { pnlRoutes } from '../shared/contracts/pnl';
import { reportRoutes } from '../shared/contracts/reports';
import { subscriptionRoutes } from '../shared/contracts/subscriptions';
import { gatewayRoutes } from '../shared/contracts/gateway';
import { systemRoutes } from '../shared/contracts/system';
import { tenancyRoutes } from '../shared/contracts/tenancy';
import { dashboardRoutes, usageRoutes } from '../shared/contracts/usage';

export interface RouteSpec {
  readonly method: HttpMethod;
  readonly path: string;
  readonly auth: AuthKind;
}

/** SQS queues, each with its dead-letter queue. */
export const queues = {
  'audit-events': { visibilityTimeoutSeconds: 180, maxReceiveCount: 5, retentionDays: 4 },
  /** Six times the worker's timeout, as AWS advises for Lambda event sources. */
  'bill-sync': { visibilityTimeoutSeconds: 5400, maxReceiveCount: 3, retentionDays: 4 },
  // Six times the delivery worker's timeout, as AWS advises for Lambda event sources.
  notifications: { visibilityTimeoutSeconds: 360, maxReceiveCount: 3, retentionDays: 4 },
} as const;
export type QueueName = keyof typeof queues;

/**
 * Step Functions state machines. Each runs the steps of one function (its states invoke that
 * function with `{ step, state }`); the definition is built once in infra/workflows and synthesized
 * for AWS and for the local runner alike.
 */
export const workflows = {
  'monthly-report': {
    description: 'Monthly AI cost report: freeze, gather, write (LLM, template fallback), persist, e-mail',
    stepFunction: 'report-workflow',
    /** The 2nd of each month, 06:00 UTC: the month before is reported once its bills have settled. */
    schedule: 'cron(0 6 2 * ? *)',
  },
} as const;
export type WorkflowName = keyof typeof workflows;

export interface FunctionSpec {
  /** kebab-case, unique; also the local log name and the CDK construct id. */
  readonly name: string;
  /** Path from the repository root to the module that exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly routes?: readonly RouteSpec[];
  /**
   * Served with Lambda response streaming: in AWS behind its own Function URL (invoke mode
   * RESPONSE_STREAM) instead of the HTTP API, which cannot stream; locally on the same server.
   */
  readonly responseStreaming?: boolean;
  /** EventBridge expression: `rate(1 hour)` or `cron(min hour dom month dow year)`. */
  readonly schedule?: string;
  readonly queueSource?: { readonly queue: QueueName; readonly batchSize: number };
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly needs: {
    readonly table?: 'read' | 'readWrite';
    readonly secrets?: 'read' | 'readWrite';
    readonly sendTo?: readonly QueueName[];
    /** The bucket of uploaded and dropped FOCUS files (a local directory for `npm start`). */
    readonly billFiles?: 'read' | 'readWrite';
    /** Sends e-mail through SES as the stage's notification sender address. */
    readonly sendEmail?: boolean;
    /** Starts executions of this state machine. */
    readonly startWorkflow?: WorkflowName;
    /** Calls Tollgate's own AI gateway (the stage's `gatewayUrl`). */
    readonly gateway?: boolean;
    /** Invokes the scheduled jobs on demand (JOB_FUNCTIONS). */
    readonly runJobs?: boolean;
  };
  /** The steps of this state machine run in this function (it lives in the workflows stack). */
  readonly workflow?: WorkflowName;
}

const toRouteSpecs = (routes: Record<string, RouteContract>): RouteSpec[] =>
  Object.values(routes).map(({ method, path, auth }) => ({ method, path, auth }));

export const functions = [
  {
    name: 'system',
    entry: 'functions/system/handler.ts',
    description: 'Health check and the OpenAPI document',
    routes: toRouteSpecs(systemRoutes),
    memoryMb: 256,
    timeoutSeconds: 5,
    needs: {},
  },
  {
    name: 'admin',
    entry: 'functions/admin/handler.ts',
    description: 'Tenancy management API: enterprises, groups, users, API keys, AI accounts, bindings',
    routes: toRouteSpecs({ ...tenancyRoutes, ...usageRoutes, ...dashboardRoutes }),
    memoryMb: 512,
    timeoutSeconds: 10,
    needs: { table: 'readWrite', secrets: 'readWrite', sendTo: ['audit-events'] },
  },
  {
    name: 'router',
    entry: 'functions/router/handler.ts',
    description: 'AI gateway: OpenAI-compatible routes, binding-based routing, quotas, failover and metering',
    routes: toRouteSpecs(gatewayRoutes),
    responseStreaming: true,
    memoryMb: 1024,
    timeoutSeconds: 120,
    needs: { table: 'readWrite', secrets: 'read', sendTo: ['notifications'] },
  },
  {
    name: 'account-health',
    entry: 'functions/jobs/account-health/handler.ts',
    description: 'Probes enabled AI accounts, records their health, flips their status and notifies',
    schedule: 'rate(5 minutes)',
    memoryMb: 512,
    timeoutSeconds: 120,
    needs: { table: 'readWrite', secrets: 'read', sendTo: ['notifications'] },
  },
  {
    name: 'audit-writer',
    entry: 'functions/jobs/audit-writer/handler.ts',
    description: 'Writes management audit events from the queue, idempotently',
    queueSource: { queue: 'audit-events', batchSize: 10 },
    memoryMb: 256,
    timeoutSeconds: 30,
    needs: { table: 'readWrite' },
  },
  {
    name: 'api-key-expiry',
    entry: 'functions/jobs/api-key-expiry/handler.ts',
    description: 'Marks API keys past their expiry as expired and audits it',
    schedule: 'rate(1 hour)',
    memoryMb: 256,
    timeoutSeconds: 60,
    needs: { table: 'readWrite', sendTo: ['audit-events'] },
  },
  {
    name: 'quota-reclaim',
    entry: 'functions/jobs/quota-reclaim/handler.ts',
    description: 'Returns the unspent part of quota leases whose gateway instance stopped renewing them',
    schedule: 'rate(1 minute)',
    memoryMb: 256,
    timeoutSeconds: 60,
    needs: { table: 'readWrite' },
  },
  {
    name: 'bills',
    entry: 'functions/bills/handler.ts',
    description:
      'Cloud bills API: cloud accounts, syncs and FOCUS uploads, rates, snapshots, anomalies, budgets',
    routes: toRouteSpecs(billRoutes),
    memoryMb: 1024,
    timeoutSeconds: 29,
    needs: {
      table: 'readWrite',
      secrets: 'readWrite',
      sendTo: ['bill-sync', 'notifications'],
      billFiles: 'readWrite',
    },
  },
  {
    name: 'bill-sync-dispatch',
    entry: 'functions/jobs/bill-sync-dispatch/handler.ts',
    description: 'Daily: queues one bill sync job per active cloud account and open period',
    schedule: 'cron(30 2 * * ? *)',
    memoryMb: 256,
    timeoutSeconds: 60,
    needs: { table: 'readWrite', secrets: 'read', sendTo: ['bill-sync', 'notifications'], billFiles: 'read' },
  },
  {
    name: 'bill-sync-worker',
    entry: 'functions/jobs/bill-sync-worker/handler.ts',
    description:
      'Runs queued bill syncs and dropped FOCUS imports: fetch, normalize, write idempotently, roll up',
    queueSource: { queue: 'bill-sync', batchSize: 1 },
    memoryMb: 1769,
    timeoutSeconds: 900,
    needs: { table: 'readWrite', secrets: 'read', sendTo: ['bill-sync', 'notifications'], billFiles: 'read' },
  },
  {
    name: 'bill-rollup',
    entry: 'functions/jobs/bill-rollup/handler.ts',
    description: 'Daily: rolls open periods into snapshots and evaluates budgets and anomalies',
    schedule: 'cron(30 4 * * ? *)',
    memoryMb: 1024,
    timeoutSeconds: 900,
    needs: { table: 'readWrite', secrets: 'read', sendTo: ['bill-sync', 'notifications'], billFiles: 'read' },
  },
  {
    name: 'balance',
    entry: 'functions/balance/handler.ts',
    description: 'Balance monitor API: balance sources, manual refresh, readings, trends and summary',
    routes: toRouteSpecs(balanceRoutes),
    memoryMb: 512,
    timeoutSeconds: 29,
    needs: { table: 'readWrite', secrets: 'readWrite', sendTo: ['notifications'] },
  },
  {
    name: 'balance-poll',
    entry: 'functions/jobs/balance-poll/handler.ts',
    description: 'Reads every enabled balance source, stores readings, alerts on low balances',
    schedule: 'rate(15 minutes)',
    memoryMb: 512,
    // Three tries of a 10 s call plus backoff per source, 20 at a time, leave ample room.
    timeoutSeconds: 300,
    needs: { table: 'readWrite', secrets: 'read', sendTo: ['notifications'] },
  },
  {
    name: 'notifications',
    entry: 'functions/notifications/handler.ts',
    description: 'Notifications API: channels, routing rules, test sends, alert history, delivery log',
    routes: toRouteSpecs(notificationRoutes),
    memoryMb: 512,
    timeoutSeconds: 29,
    needs: { table: 'readWrite', secrets: 'readWrite', sendEmail: true },
  },
  {
    name: 'notification-delivery',
    entry: 'functions/jobs/notification-delivery/handler.ts',
    description: 'Sends queued alerts to their channels with retries and records each delivery',
    queueSource: { queue: 'notifications', batchSize: 10 },
    memoryMb: 512,
    // Three tries of a 10 s send with up to 10 s of backoff between them.
    timeoutSeconds: 60,
    needs: { table: 'readWrite', secrets: 'read', sendEmail: true },
  },
  {
    name: 'subscriptions',
    entry: 'functions/subscriptions/handler.ts',
    description: 'Subscription renewals API: subscriptions, their history and upcoming renewals',
    routes: toRouteSpecs(subscriptionRoutes),
    memoryMb: 256,
    timeoutSeconds: 10,
    needs: { table: 'readWrite' },
  },
  {
    name: 'subscription-reminders',
    entry: 'functions/jobs/subscription-reminders/handler.ts',
    description: 'Daily: moves passed subscription renewals on and sends the renewal reminders due',
    schedule: 'cron(0 1 * * ? *)',
    memoryMb: 256,
    timeoutSeconds: 300,
    needs: { table: 'readWrite', sendTo: ['notifications'] },
  },
  {
    name: 'pnl',
    entry: 'functions/pnl/handler.ts',
    description:
      'Virtual P&L API: cost centers, costs, revenues, budgets, invoices, P&L, cost analysis and ROI',
    routes: toRouteSpecs(pnlRoutes),
    memoryMb: 512,
    timeoutSeconds: 29,
    needs: { table: 'readWrite' },
  },
  {
    name: 'pnl-rollup',
    entry: 'functions/jobs/pnl-rollup/handler.ts',
    description:
      'Hourly: feeds usage, self-hosted cost, bills and savings into the P&L, recomputes dirty months, checks budgets',
    schedule: 'cron(15 * * * ? *)',
    memoryMb: 1024,
    timeoutSeconds: 900,
    needs: { table: 'readWrite', sendTo: ['notifications'] },
  },
  {
    name: 'reports',
    entry: 'functions/reports/handler.ts',
    description: 'Reports API: monthly AI cost reports, downloads, generation on demand',
    routes: toRouteSpecs(reportRoutes),
    memoryMb: 512,
    timeoutSeconds: 10,
    needs: { table: 'readWrite', secrets: 'readWrite', startWorkflow: 'monthly-report' },
  },
  {
    name: 'jobs-api',
    entry: 'functions/jobs-api/handler.ts',
    description: 'Jobs API: runs a scheduled job now (platform admins)',
    routes: toRouteSpecs(jobRoutes),
    memoryMb: 256,
    // A job may take minutes; API Gateway answers after 30 s, the CLI waits for the result up to then.
    timeoutSeconds: 29,
    needs: { runJobs: true },
  },
  {
    name: 'report-workflow',
    entry: 'functions/workflows/report-workflow/handler.ts',
    description: 'The monthly report state machine steps: plan, freeze, gather, write, persist, send, fail',
    workflow: 'monthly-report',
    memoryMb: 1024,
    timeoutSeconds: 300,
    needs: {
      table: 'readWrite',
      secrets: 'read',
      sendTo: ['notifications'],
      billFiles: 'read',
      sendEmail: true,
      gateway: true,
    },
  },
] as const satisfies readonly FunctionSpec[];

export type FunctionName = (typeof functions)[number]['name'];

export const allRouteKeys = (): string[] =>
  (functions as readonly FunctionSpec[]).flatMap((f) => (f.routes ?? []).map(routeKey));

/** The routes API Gateway's HTTP API serves (the streaming functions have Function URLs). */
export const httpApiRouteKeys = (): string[] =>
  (functions as readonly FunctionSpec[])
    .filter((f) => !f.responseStreaming)
    .flatMap((f) => (f.routes ?? []).map(routeKey));

/** Environment variable through which a queue's consumer learns its maxReceiveCount. */
export const queueMaxReceivesEnv = (queue: QueueName): string =>
  `QUEUE_MAX_RECEIVES_${queue.toUpperCase().replace(/-/g, '_')}`;

/** Environment variable through which a function learns a queue's URL. */
export const queueUrlEnv = (queue: QueueName): string =>
  `QUEUE_URL_${queue.toUpperCase().replace(/-/g, '_')}`;

/** Environment variable through which a function learns a state machine's ARN. */
export const stateMachineArnEnv = (workflow: WorkflowName): string =>
  `STATE_MACHINE_ARN_${workflow.toUpperCase().replace(/-/g, '_')}`;

/** A state machine's name in a stage: fixed, so other stacks can address it by ARN without a reference. */
export const stateMachineName = (stage: string, workflow: WorkflowName): string =>
  `tollgate-${stage}-${workflow}`;

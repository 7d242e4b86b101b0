import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { defaultStage, loadStageConfig, type StageConfig } from './config/stages';
import { repoRoot } from './constructs/tollgate-function';
import { functions, type FunctionSpec } from './manifest';
import { ApiStack } from './stacks/api-stack';
import { DataStack } from './stacks/data-stack';
import { JobsStack } from './stacks/jobs-stack';
import { WorkflowsStack } from './stacks/workflows-stack';

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /** Stage name; defaults to the `stage` context (`-c stage=NAME`), then `dev`. */
  readonly stage?: string;
  /** Extra context on top of cdk.json's, e.g. `{ 'aws:cdk:bundling-stacks': [] }` in tests. */
  readonly context?: Record<string, unknown>;
  /** Field overrides on top of the stage's config (validated together), e.g. in tests. */
  readonly configOverrides?: Partial<StageConfig>;
  /** Register cdk-nag AwsSolutionsChecks as a validation plugin (default true). */
  readonly nag?: boolean;
  readonly outdir?: string;
}

export interface TollgateApp {
  readonly app: App;
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly jobs: JobsStack;
  readonly workflows: WorkflowsStack;
  readonly api: ApiStack;
}

const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(repoRoot, file), 'utf8')) as Record<string, unknown>;

/**
 * The whole CDK app for one stage: data (table) -> jobs (queues, scheduled and queue-driven
 * functions) -> workflows (state machines and their step functions) -> api (HTTP API, Cognito,
 * routed functions). Functions with HTTP routes live in the
 * API stack, all others in the jobs stack.
 */
export function buildApp(options: BuildAppOptions = {}): TollgateApp {
  // cdk.json's context (feature flags) is applied here too, so tests synthesize what `cdk synth` does.
  const cdkJsonContext = (readJson('cdk.json').context ?? {}) as Record<string, unknown>;
  const app = new App({
    context: { ...cdkJsonContext, ...options.context },
    ...(options.outdir && { outdir: options.outdir }),
  });

  const ctx = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const stageName = options.stage ?? ctx('stage') ?? defaultStage;
  const account = ctx('account');
  const region = ctx('region');
  const config = loadStageConfig(stageName, {
    ...(account && { account }),
    ...(region && { region }),
    ...options.configOverrides,
  });
  const serviceVersion = String(readJson('package.json').version);

  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  Tags.of(app).add('project', 'tollgate');
  Tags.of(app).add('stage', config.stage);

  const env = { account: config.account, region: config.region };
  const prefix = `Tollgate-${config.stage}`;
  const specs = functions as readonly FunctionSpec[];
  const routed = specs.filter((f) => (f.routes?.length ?? 0) > 0);
  const steps = specs.filter((f) => f.workflow);
  const background = specs.filter((f) => !routed.includes(f) && !steps.includes(f));

  const data = new DataStack(app, `${prefix}-Data`, {
    env,
    config,
    description: `Tollgate ${config.stage}: DynamoDB table (retained)`,
  });
  const jobs = new JobsStack(app, `${prefix}-Jobs`, {
    env,
    config,
    serviceVersion,
    tableName: data.tableName,
    functions: background,
    description: `Tollgate ${config.stage}: queues, scheduled and queue-driven functions`,
  });
  const workflows = new WorkflowsStack(app, `${prefix}-Workflows`, {
    env,
    config,
    serviceVersion,
    tableName: data.tableName,
    queues: jobs.queues,
    functions: steps,
    description: `Tollgate ${config.stage}: Step Functions workflows and their step functions`,
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    config,
    serviceVersion,
    tableName: data.tableName,
    queues: jobs.queues,
    functions: routed,
    jobFunctions: Object.fromEntries(
      jobs.functions.filter((fn) => fn.spec.schedule).map((fn) => [fn.spec.name, fn.function]),
    ),
    description: `Tollgate ${config.stage}: HTTP API, Cognito user pool, API functions`,
  });

  // The table is referenced by name, so the ordering is declared rather than inferred.
  jobs.addStackDependency(data, 'reads and writes the table by name');
  api.addStackDependency(data, 'reads and writes the table by name');
  api.addStackDependency(jobs, 'sends to the queues');
  workflows.addStackDependency(data, 'reads and writes the table by name');
  workflows.addStackDependency(jobs, 'sends to the queues');
  api.addStackDependency(workflows, 'starts the state machines by name');

  return { app, config, data, jobs, workflows, api };
}

const isMain = (): boolean => {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
};

if (isMain()) buildApp().app.synth();

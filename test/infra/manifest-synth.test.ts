import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type TollgateApp } from '../../infra/app';
import { FUNCTION_TAG } from '../../infra/constructs/tollgate-function';
import { functions, type FunctionSpec } from '../../infra/manifest';

process.env.CDK_VALIDATION = 'false';

const specs = functions as readonly FunctionSpec[];

type LambdaResource = { Properties: { Tags?: { Key: string; Value: string }[] } };

/** Every synthesized AWS::Lambda::Function with the stack it lives in and its manifest tag. */
let synthesized: { stack: string; logicalId: string; tag: string | undefined }[];
let built: TollgateApp;

beforeAll(() => {
  built = buildApp({ stage: 'dev', nag: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks: Stack[] = [built.data, built.jobs, built.workflows, built.api];
  synthesized = stacks.flatMap((stack) =>
    Object.entries(
      Template.fromStack(stack).findResources('AWS::Lambda::Function') as Record<string, LambdaResource>,
    ).map(([logicalId, r]) => ({
      stack: stack.stackName,
      logicalId,
      tag: r.Properties.Tags?.find((t) => t.Key === FUNCTION_TAG)?.Value,
    })),
  );
});

describe('manifest <-> synthesized functions', () => {
  it('has unique function names in the manifest', () => {
    expect(new Set(specs.map((s) => s.name)).size).toBe(specs.length);
  });

  it.each(specs.map((s) => [s.name, s] as const))('synthesizes exactly one function for %s', (name, spec) => {
    const matches = synthesized.filter((f) => f.tag === name);
    expect(matches).toHaveLength(1);
    // Routed functions sit behind the HTTP API, workflow steps beside their state machine; the rest are jobs.
    const expectedStack = spec.routes?.length
      ? built.api.stackName
      : spec.workflow
        ? built.workflows.stackName
        : built.jobs.stackName;
    expect(matches[0]!.stack).toBe(expectedStack);
  });

  it('synthesizes no function the manifest does not list', () => {
    const names = new Set(specs.map((s) => s.name));
    const strays = synthesized.filter((f) => f.tag === undefined || !names.has(f.tag));
    expect(strays).toEqual([]);
    expect(synthesized).toHaveLength(specs.length);
  });
});

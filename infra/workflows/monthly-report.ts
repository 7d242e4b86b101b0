/**
 * The monthly AI cost report state machine: Plan → Map over the enterprises (two at a time) →
 * Freeze → (already generated? done) → Gather → WriteWithLlm (retried; on failure WriteFallback,
 * the template, with the error as the reason) → Persist → Send. Every step retries transient
 * Lambda errors; any other failure of an enterprise's run goes to Fail (report marked failed,
 * failure notified) so one enterprise never stops the others. Each state invokes the step
 * function with `{ step, state }` and takes its answer as the new state (payloadResponseOnly).
 * The same definition runs in AWS and, synthesized, in the local runner.
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  DefinitionBody,
  JsonPath,
  Map as MapState,
  Pass,
  Succeed,
  TaskInput,
  type IChainable,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/** The state names, which the local runner binds its handlers to. */
export const MONTHLY_REPORT_STEPS = {
  Plan: 'plan',
  Freeze: 'freeze',
  Gather: 'gather',
  WriteWithLlm: 'writeWithLlm',
  WriteFallback: 'writeFallback',
  Persist: 'persist',
  Send: 'send',
  Fail: 'fail',
} as const;
export type MonthlyReportStep = (typeof MONTHLY_REPORT_STEPS)[keyof typeof MONTHLY_REPORT_STEPS];

const LAMBDA_TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

export const monthlyReportDefinition = (scope: Construct, stepFunction: IFunction): DefinitionBody => {
  const step = (stateName: keyof typeof MONTHLY_REPORT_STEPS, state = '$') => {
    const task = new LambdaInvoke(scope, stateName, {
      lambdaFunction: stepFunction,
      payload: TaskInput.fromObject({ step: MONTHLY_REPORT_STEPS[stateName], 'state.$': state }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    });
    task.addRetry({
      errors: LAMBDA_TRANSIENT,
      interval: Duration.seconds(2),
      maxAttempts: 3,
      backoffRate: 2,
    });
    return task;
  };

  const fail = step('Fail');
  const catchToFail = <T extends LambdaInvoke>(task: T): T => {
    task.addCatch(fail, { errors: ['States.ALL'], resultPath: '$.error' });
    return task;
  };

  const send = catchToFail(step('Send'));
  const persist = catchToFail(step('Persist'));
  persist.next(send);
  const write = step('WriteWithLlm');
  // An LLM error or an invalid answer: two more tries, then the template writes it.
  write.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(5), maxAttempts: 2, backoffRate: 2 });
  const fallback = catchToFail(step('WriteFallback'));
  fallback.next(persist);
  write.addCatch(fallback, { errors: ['States.ALL'], resultPath: '$.error' });
  write.next(persist);

  const perEnterprise: IChainable = catchToFail(step('Freeze')).next(
    new Choice(scope, 'AlreadyGenerated')
      .when(Condition.booleanEquals('$.existing', true), new Succeed(scope, 'Done'))
      .otherwise(catchToFail(step('Gather')).next(write)),
  );

  const runs = new MapState(scope, 'EachEnterprise', {
    itemsPath: JsonPath.stringAt('$.runs'),
    maxConcurrency: 2,
    resultPath: JsonPath.DISCARD,
  });
  runs.itemProcessor(perEnterprise);

  return DefinitionBody.fromChainable(step('Plan').next(runs).next(new Pass(scope, 'Finished')));
};

/**
 * The monthly report state machine's steps (infra/workflows/monthly-report.ts): each state invokes
 * this function with `{ step, state }` and takes what it returns as the next state.
 */
import { reportWorkflowDeps } from '../../../shared/composition/reports';
import { logger } from '../../../shared/runtime/logger';
import * as wf from '../../../shared/usecases/reports/workflow';

const deps = reportWorkflowDeps();

const steps = {
  plan: (state: wf.PlanInput) => wf.plan(deps, state),
  freeze: (state: wf.RunState) => wf.freeze(deps, state),
  gather: (state: wf.RunState) => wf.gather(deps, state),
  writeWithLlm: (state: wf.RunState) => wf.writeWithLlm(deps, state),
  writeFallback: (state: wf.RunState) => wf.writeFallback(deps, state),
  persist: (state: wf.RunState) => wf.persist(deps, state),
  send: (state: wf.RunState) => wf.send(deps, state),
  fail: (state: wf.RunState) => wf.fail(deps, state),
};
export type ReportStep = keyof typeof steps;

export const handler = async (event: { step: ReportStep; state: never }): Promise<unknown> => {
  logger.resetKeys();
  const run = steps[event.step];
  if (!run) throw new Error(`Unknown report workflow step "${String(event.step)}"`);
  logger.appendKeys({ step: event.step });
  const result = await run(event.state);
  logger.info('report workflow step done');
  return result;
};

/** Jobs API: runs a scheduled job now (platform admins). */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { jobRoutes as r } from '../../shared/contracts/jobs';
import { LambdaJobRunner } from '../../shared/adapters/lambda-job-runner';
import { adminRoutes } from '../../shared/composition/admin-routes';
import { env } from '../../shared/runtime/env';
import { dispatch, routeTable } from '../../shared/runtime/http';
import { runJob } from '../../shared/usecases/jobs';

const deps = { jobs: new LambdaJobRunner(new LambdaClient({}), env().JOB_FUNCTIONS) };
const route = adminRoutes();

export const handler = dispatch(
  routeTable([route(r.runJob, (ctx, { params }) => runJob(deps, ctx, params.name))]),
);

/** Running a scheduled job now (issue 7: `tollgate jobs run <name>`), for platform admins. */
import * as z from 'zod';
import { defineRoute } from './route';

export const jobRoutes = {
  runJob: defineRoute({
    id: 'runJob',
    method: 'POST',
    path: '/api/jobs/{name}/run',
    auth: 'admin',
    tag: 'jobs',
    summary: 'Run a scheduled job now and return its summary (platform admins)',
    params: z.strictObject({
      name: z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be a job name such as "pnl-rollup"'),
    }),
    body: z.strictObject({}),
    response: z.object({ name: z.string(), result: z.unknown() }),
  }),
};

/** Running a scheduled job on demand (`tollgate jobs run <name>`): platform admins only. */
import { requirePlatformAdmin } from '../domain/access';
import { DomainError, notFound } from '../domain/errors';
import type { JobRunner } from '../ports/jobs';
import type { RequestContext } from './tenancy';

export const runJob = async (deps: { jobs: JobRunner }, ctx: RequestContext, name: string) => {
  requirePlatformAdmin(ctx.caller);
  if (!deps.jobs.names().includes(name))
    throw notFound('Job', `${name} (jobs: ${deps.jobs.names().join(', ')})`);
  try {
    return { name, result: await deps.jobs.run(name) };
  } catch (err) {
    // The job ran and failed: the caller learns why, as a server-side error, not as their mistake.
    throw new DomainError('SERVER_ERROR', (err as Error).message);
  }
};

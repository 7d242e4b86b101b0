/** Cloud bills API: one Lambda for every route of shared/contracts/bills.ts. */
import { billRoutes as r } from '../../shared/contracts/bills';
import { adminRoutes } from '../../shared/composition/admin-routes';
import { billDeps } from '../../shared/composition/bills';
import { dispatch, routeTable } from '../../shared/runtime/http';
import * as uc from '../../shared/usecases/bills/admin';

const deps = billDeps();
const route = adminRoutes();

/** A FOCUS upload travels in the request body: Lambda's 6 MB payload limit, less JSON overhead. */
const FOCUS_UPLOAD_MAX_BYTES = 5 * 1024 * 1024;

export const handler = dispatch(
  routeTable([
    route(r.createCloudAccount, (ctx, { params, body }) =>
      uc.createCloudAccount(deps, ctx, params.enterpriseId, body),
    ),
    route(r.listCloudAccounts, (ctx, { params, query }) =>
      uc.listCloudAccounts(deps, ctx, params.enterpriseId, query),
    ),
    route(r.getCloudAccount, (ctx, { params }) => uc.getCloudAccount(deps, ctx, params.cloudAccountId)),
    route(r.updateCloudAccount, (ctx, { params, body }) =>
      uc.updateCloudAccount(deps, ctx, params.cloudAccountId, body),
    ),
    route(r.requestSync, (ctx, { params, body }) => uc.requestSync(deps, ctx, params.cloudAccountId, body)),
    route(r.uploadFocus, (ctx, { params, body }) => uc.uploadFocus(deps, ctx, params.cloudAccountId, body), {
      maxBodyBytes: FOCUS_UPLOAD_MAX_BYTES,
    }),
    route(r.listSyncJobs, (ctx, { params, query }) => uc.listSyncJobs(deps, ctx, params.enterpriseId, query)),
    route(r.getSyncJob, (ctx, { params }) => uc.getSyncJob(deps, ctx, params.jobId)),
    route(r.putExchangeRates, (ctx, { params, body }) =>
      uc.putExchangeRates(deps, ctx, params.enterpriseId, params.periodMonth, body),
    ),
    route(r.listExchangeRates, (ctx, { params }) =>
      uc.listExchangeRates(deps, ctx, params.enterpriseId, params.periodMonth),
    ),
    route(r.runRollup, (ctx, { params, body }) =>
      uc.runRollup(deps, ctx, params.enterpriseId, body.periodMonth),
    ),
    route(r.listSnapshots, (ctx, { params, query }) =>
      uc.listSnapshots(deps, ctx, params.enterpriseId, query),
    ),
    route(r.costOverview, (ctx, { params, query }) => uc.costOverview(deps, ctx, params.enterpriseId, query)),
    route(r.costTrend, (ctx, { params, query }) => uc.costTrend(deps, ctx, params.enterpriseId, query)),
    route(r.listBillItems, (ctx, { params, query }) =>
      uc.listBillItems(deps, ctx, params.enterpriseId, query),
    ),
    route(r.listAnomalies, (ctx, { params, query }) =>
      uc.listAnomalies(deps, ctx, params.enterpriseId, query.periodMonth),
    ),
    route(r.updateAnomaly, (ctx, { params, body }) => uc.updateAnomaly(deps, ctx, params.anomalyId, body)),
    route(r.createBudget, (ctx, { params, body }) => uc.createBudget(deps, ctx, params.enterpriseId, body)),
    route(r.listBudgets, (ctx, { params, query }) => uc.listBudgets(deps, ctx, params.enterpriseId, query)),
    route(r.updateBudget, (ctx, { params, body }) => uc.updateBudget(deps, ctx, params.budgetId, body)),
    route(r.deleteBudget, (ctx, { params }) => uc.deleteBudget(deps, ctx, params.budgetId)),
  ]),
);

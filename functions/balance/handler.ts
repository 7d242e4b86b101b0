/** Balance monitor API: one Lambda for every route of shared/contracts/balance.ts. */
import { balanceRoutes as r } from '../../shared/contracts/balance';
import { adminRoutes } from '../../shared/composition/admin-routes';
import { balanceDeps } from '../../shared/composition/balance';
import { dispatch, routeTable } from '../../shared/runtime/http';
import * as uc from '../../shared/usecases/balance/admin';

const deps = balanceDeps();
const route = adminRoutes();

export const handler = dispatch(
  routeTable([
    route(r.createBalanceSource, (ctx, { params, body }) =>
      uc.createBalanceSource(deps, ctx, params.enterpriseId, body),
    ),
    route(r.listBalanceSources, (ctx, { params }) => uc.listBalanceSources(deps, ctx, params.enterpriseId)),
    route(r.getBalanceSource, (ctx, { params }) => uc.getBalanceSource(deps, ctx, params.sourceId)),
    route(r.updateBalanceSource, (ctx, { params, body }) =>
      uc.updateBalanceSource(deps, ctx, params.sourceId, body),
    ),
    route(r.deleteBalanceSource, (ctx, { params }) => uc.deleteBalanceSource(deps, ctx, params.sourceId)),
    route(r.refreshBalanceSource, (ctx, { params }) => uc.refreshBalanceSource(deps, ctx, params.sourceId)),
    route(r.listBalanceReadings, (ctx, { params, query }) =>
      uc.listBalanceReadings(deps, ctx, params.sourceId, query),
    ),
    route(r.balanceTrend, (ctx, { params, query }) => uc.balanceTrend(deps, ctx, params.sourceId, query)),
    route(r.balanceSummary, (ctx, { params }) => uc.balanceSummary(deps, ctx, params.enterpriseId)),
  ]),
);

/** Subscription renewals API: one Lambda for every route of shared/contracts/subscriptions.ts. */
import { subscriptionRoutes as r } from '../../shared/contracts/subscriptions';
import { adminRoutes } from '../../shared/composition/admin-routes';
import { subscriptionDeps } from '../../shared/composition/subscriptions';
import { dispatch, routeTable } from '../../shared/runtime/http';
import * as uc from '../../shared/usecases/balance/subscriptions';

const deps = subscriptionDeps();
const route = adminRoutes();

export const handler = dispatch(
  routeTable([
    route(r.createSubscription, (ctx, { params, body }) =>
      uc.createSubscription(deps, ctx, params.enterpriseId, body),
    ),
    route(r.listSubscriptions, (ctx, { params }) => uc.listSubscriptions(deps, ctx, params.enterpriseId)),
    route(r.upcomingRenewals, (ctx, { params, query }) =>
      uc.upcomingRenewals(deps, ctx, params.enterpriseId, query),
    ),
    route(r.getSubscription, (ctx, { params }) => uc.getSubscription(deps, ctx, params.subscriptionId)),
    route(r.updateSubscription, (ctx, { params, body }) =>
      uc.updateSubscription(deps, ctx, params.subscriptionId, body),
    ),
    route(r.deleteSubscription, (ctx, { params }) => uc.deleteSubscription(deps, ctx, params.subscriptionId)),
    route(r.subscriptionHistory, (ctx, { params }) =>
      uc.subscriptionHistory(deps, ctx, params.subscriptionId),
    ),
  ]),
);

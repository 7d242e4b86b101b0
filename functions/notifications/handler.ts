/** Notifications API: channels, routing rules, test sends, alert history and the delivery log. */
import { notificationRoutes as r } from '../../shared/contracts/notifications';
import { adminRoutes } from '../../shared/composition/admin-routes';
import { notificationDeps } from '../../shared/composition/notifications';
import { dispatch, routeTable } from '../../shared/runtime/http';
import * as uc from '../../shared/usecases/notifications/admin';

const deps = notificationDeps();
const route = adminRoutes();

export const handler = dispatch(
  routeTable([
    route(r.createChannel, (ctx, { params, body }) => uc.createChannel(deps, ctx, params.enterpriseId, body)),
    route(r.listChannels, (ctx, { params }) => uc.listChannels(deps, ctx, params.enterpriseId)),
    route(r.updateChannel, (ctx, { params, body }) => uc.updateChannel(deps, ctx, params.channelId, body)),
    route(r.deleteChannel, (ctx, { params }) => uc.deleteChannel(deps, ctx, params.channelId)),
    route(r.testChannel, (ctx, { params }) => uc.testChannel(deps, ctx, params.channelId)),
    route(r.getRouting, (ctx, { params }) => uc.getRouting(deps, ctx, params.enterpriseId)),
    route(r.putRouting, (ctx, { params, body }) => uc.putRouting(deps, ctx, params.enterpriseId, body)),
    route(r.listAlerts, (ctx, { params, query }) => uc.listAlerts(deps, ctx, params.enterpriseId, query)),
    route(r.listDeliveries, (ctx, { params, query }) =>
      uc.listDeliveries(deps, ctx, params.enterpriseId, query),
    ),
  ]),
);

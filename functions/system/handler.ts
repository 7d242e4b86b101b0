/** Public system routes: liveness and the OpenAPI document of every route. */
import { balanceRoutes } from '../../shared/contracts/balance';
import { billRoutes } from '../../shared/contracts/bills';
import { gatewayRoutes } from '../../shared/contracts/gateway';
import { notificationRoutes } from '../../shared/contracts/notifications';
import { jobRoutes } from '../../shared/contracts/jobs';
import { pnlRoutes } from '../../shared/contracts/pnl';
import { reportRoutes } from '../../shared/contracts/reports';
import { subscriptionRoutes } from '../../shared/contracts/subscriptions';
import { systemRoutes } from '../../shared/contracts/system';
import { tenancyRoutes } from '../../shared/contracts/tenancy';
import { dashboardRoutes, usageRoutes } from '../../shared/contracts/usage';
import { env } from '../../shared/runtime/env';
import { dispatch, httpRoute, routeTable } from '../../shared/runtime/http';
import { buildOpenApiDocument } from '../../shared/runtime/openapi';

const version = env().SERVICE_VERSION;
// Built on first request, not at init: generating it is most of this function's cold start.
let openApiDocument: ReturnType<typeof buildOpenApiDocument> | undefined;
const openApi = () =>
  (openApiDocument ??= buildOpenApiDocument(
    [
      ...Object.values(systemRoutes),
      ...Object.values(tenancyRoutes),
      ...Object.values(gatewayRoutes),
      ...Object.values(usageRoutes),
      ...Object.values(dashboardRoutes),
      ...Object.values(billRoutes),
      ...Object.values(balanceRoutes),
      ...Object.values(notificationRoutes),
      ...Object.values(subscriptionRoutes),
      ...Object.values(pnlRoutes),
      ...Object.values(reportRoutes),
      ...Object.values(jobRoutes),
    ],
    version,
  ));

export const handler = dispatch(
  routeTable([
    [
      systemRoutes.health,
      httpRoute(systemRoutes.health, {}, async () => ({
        status: 'ok',
        version,
        time: new Date().toISOString(),
      })),
    ],
    [systemRoutes.openapi, httpRoute(systemRoutes.openapi, { envelope: false }, async () => openApi())],
  ]),
);

/** Reports API: one Lambda for every route of shared/contracts/reports.ts. */
import { reportRoutes as r } from '../../shared/contracts/reports';
import { adminRoutes } from '../../shared/composition/admin-routes';
import { reportApiDeps } from '../../shared/composition/reports';
import { dispatch, FileBody, routeTable } from '../../shared/runtime/http';
import * as uc from '../../shared/usecases/reports/api';

const deps = reportApiDeps();
const route = adminRoutes();

export const handler = dispatch(
  routeTable([
    route(r.getReportSettings, (ctx, { params }) => uc.getReportSettings(deps, ctx, params.enterpriseId)),
    route(r.putReportSettings, (ctx, { params, body }) =>
      uc.putReportSettings(deps, ctx, params.enterpriseId, body),
    ),
    route(r.listReports, (ctx, { params, query }) =>
      uc.listReports(deps, ctx, params.enterpriseId, query.periodMonth),
    ),
    route(r.getReport, (ctx, { params }) => uc.getReport(deps, ctx, params.reportId)),
    route(r.generateReport, (ctx, { params, body }) =>
      uc.generateReport(deps, ctx, params.enterpriseId, body.periodMonth),
    ),
    route(r.downloadReport, async (ctx, { params, query }) => {
      const file = await uc.downloadReport(deps, ctx, params.reportId, query.format);
      return new FileBody(file.contentType, file.filename, file.body);
    }),
  ]),
);

/** Virtual P&L API: one Lambda for every route of shared/contracts/pnl.ts. */
import { pnlRoutes as r } from '../../shared/contracts/pnl';
import { adminRoutes } from '../../shared/composition/admin-routes';
import { pnlDeps } from '../../shared/composition/pnl';
import { dispatch, routeTable } from '../../shared/runtime/http';
import * as budgets from '../../shared/usecases/pnl/budgets';
import * as centers from '../../shared/usecases/pnl/cost-centers';
import * as facts from '../../shared/usecases/pnl/facts';
import * as invoices from '../../shared/usecases/pnl/invoices';
import * as setup from '../../shared/usecases/pnl/setup';
import * as pnl from '../../shared/usecases/pnl/summaries';

const deps = pnlDeps();
const route = adminRoutes();

export const handler = dispatch(
  routeTable([
    route(r.createCostCenter, (ctx, { params, body }) =>
      centers.createCostCenter(deps, ctx, params.enterpriseId, body),
    ),
    route(r.listCostCenters, (ctx, { params }) => centers.listCostCenters(deps, ctx, params.enterpriseId)),
    route(r.costCenterTree, (ctx, { params }) => centers.costCenterTree(deps, ctx, params.enterpriseId)),
    route(r.getCostCenter, (ctx, { params }) => centers.getCostCenter(deps, ctx, params.costCenterId)),
    route(r.costCenterSubtree, (ctx, { params }) =>
      centers.costCenterSubtree(deps, ctx, params.costCenterId),
    ),
    route(r.updateCostCenter, (ctx, { params, body }) =>
      centers.updateCostCenter(deps, ctx, params.costCenterId, body),
    ),
    route(r.moveCostCenter, (ctx, { params, body }) =>
      centers.moveCostCenter(deps, ctx, params.costCenterId, body),
    ),
    route(r.deleteCostCenter, (ctx, { params }) => centers.deleteCostCenter(deps, ctx, params.costCenterId)),
    route(r.createCostEntry, (ctx, { params, body }) =>
      facts.createCostEntry(deps, ctx, params.enterpriseId, body),
    ),
    route(r.importCostEntries, (ctx, { params, body }) =>
      facts.importCostEntries(deps, ctx, params.enterpriseId, body),
    ),
    route(r.listCostEntries, (ctx, { params, query }) =>
      facts.listCostEntries(deps, ctx, params.enterpriseId, query),
    ),
    route(r.getCostEntry, (ctx, { params }) => facts.getCostEntry(deps, ctx, params.entryId)),
    route(r.updateCostEntry, (ctx, { params, body }) =>
      facts.updateCostEntry(deps, ctx, params.entryId, body),
    ),
    route(r.deleteCostEntry, (ctx, { params }) => facts.deleteCostEntry(deps, ctx, params.entryId)),
    route(r.allocateCost, (ctx, { params, body }) =>
      facts.allocateCost(deps, ctx, params.enterpriseId, body),
    ),
    route(r.createRevenue, (ctx, { params, body }) =>
      facts.createRevenue(deps, ctx, params.enterpriseId, body),
    ),
    route(r.listRevenues, (ctx, { params, query }) =>
      facts.listRevenues(deps, ctx, params.enterpriseId, query),
    ),
    route(r.getRevenue, (ctx, { params }) => facts.getRevenue(deps, ctx, params.revenueId)),
    route(r.updateRevenue, (ctx, { params, body }) => facts.updateRevenue(deps, ctx, params.revenueId, body)),
    route(r.deleteRevenue, (ctx, { params }) => facts.deleteRevenue(deps, ctx, params.revenueId)),
    route(r.createBudget, (ctx, { params, body }) =>
      budgets.createBudget(deps, ctx, params.costCenterId, body),
    ),
    route(r.listBudgets, (ctx, { params, query }) =>
      budgets.listBudgets(deps, ctx, params.enterpriseId, query.year),
    ),
    route(r.updateBudget, (ctx, { params, body }) => budgets.updateBudget(deps, ctx, params, body)),
    route(r.deleteBudget, (ctx, { params }) => budgets.deleteBudget(deps, ctx, params)),
    route(r.budgetUtilization, (ctx, { params, query }) =>
      budgets.budgetUtilization(deps, ctx, params.enterpriseId, query.period),
    ),
    route(r.putSelfHostedModel, (ctx, { params, body }) =>
      setup.putSelfHostedModel(deps, ctx, params.accountId, body),
    ),
    route(r.getSelfHostedModel, (ctx, { params }) => setup.getSelfHostedModel(deps, ctx, params.accountId)),
    route(r.deleteSelfHostedModel, (ctx, { params }) =>
      setup.deleteSelfHostedModel(deps, ctx, params.accountId),
    ),
    route(r.selfHostedCosts, (ctx, { params, query }) =>
      setup.selfHostedCosts(deps, ctx, params.enterpriseId, query.month),
    ),
    route(r.getPnlSettings, (ctx, { params }) => setup.getPnlSettings(deps, ctx, params.enterpriseId)),
    route(r.putPnlSettings, (ctx, { params, body }) =>
      setup.putPnlSettings(deps, ctx, params.enterpriseId, body),
    ),
    route(r.generateInvoices, (ctx, { params, body }) =>
      invoices.generateInvoices(deps, ctx, params.enterpriseId, body.month),
    ),
    route(r.listInvoices, (ctx, { params, query }) =>
      invoices.listInvoices(deps, ctx, params.enterpriseId, query.month),
    ),
    route(r.issueInvoice, (ctx, { params }) => invoices.issueInvoice(deps, ctx, params.invoiceId)),
    route(r.payInvoice, (ctx, { params, body }) =>
      invoices.payInvoice(deps, ctx, params.invoiceId, body.paidDate),
    ),
    route(r.invoiceReconciliation, (ctx, { params, query }) =>
      invoices.invoiceReconciliation(deps, ctx, params.enterpriseId, query.month),
    ),
    route(r.pnlReport, (ctx, { params, query }) => pnl.pnlReport(deps, ctx, params.enterpriseId, query)),
    route(r.recomputePnl, (ctx, { params, body }) => pnl.recomputePnl(deps, ctx, params.enterpriseId, body)),
    route(r.costAnalysis, (ctx, { params, query }) =>
      pnl.costAnalysis(deps, ctx, params.enterpriseId, query),
    ),
    route(r.roiAnalysis, (ctx, { params, query }) => pnl.roiAnalysis(deps, ctx, params.enterpriseId, query)),
  ]),
);

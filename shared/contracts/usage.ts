import * as z from 'zod';
import { Id } from './common';
import { ServiceType as ServiceTypeOrAny } from './tenancy';
import { defineRoute } from './route';

const Day = z.iso.date();
const CostByCurrency = z.record(z.string(), z.string());

export const UsageStatsQuery = z
  .strictObject({
    startDate: Day,
    endDate: Day,
    granularity: z.enum(['hour', 'day', 'week', 'month']).default('day'),
    serviceType: ServiceTypeOrAny.optional(),
  })
  .refine((q) => q.startDate <= q.endDate, { message: 'endDate is before startDate', path: ['endDate'] });

export const UsageStats = z.object({
  stats: z.array(
    z.object({
      period: z.string(),
      totalRequests: z.number().int(),
      totalTokens: z.number().int(),
      totalCost: CostByCurrency,
      averageResponseTime: z.number(),
      successRate: z.number(),
      breakdown: z.array(
        z.object({
          serviceType: z.string(),
          requests: z.number().int(),
          tokens: z.number().int(),
          cost: CostByCurrency,
        }),
      ),
    }),
  ),
  summary: z.object({
    totalCost: CostByCurrency,
    topModels: z.array(z.string()),
    peakHours: z.array(z.number().int()),
  }),
});

export const usageRoutes = {
  groupUsageStats: defineRoute({
    id: 'groupUsageStats',
    method: 'GET',
    path: '/api/groups/{groupId}/usage-stats',
    auth: 'admin',
    tag: 'gateway',
    summary: 'A group\u2019s gateway usage by hour, day, week or month, with cost per currency',
    params: z.strictObject({ groupId: Id }),
    query: UsageStatsQuery,
    response: UsageStats,
  }),
} as const;

export const AiResourceDashboard = z.object({
  day: z.string(),
  totalAccounts: z.number().int(),
  activeAccounts: z.number().int(),
  totalGroups: z.number().int(),
  dailyRequests: z.number().int(),
  dailyCost: CostByCurrency,
  averageResponseTime: z.number(),
  accountsByService: z.array(
    z.object({
      serviceType: z.string(),
      count: z.number().int(),
      healthyCount: z.number().int(),
      avgLoad: z.number(),
    }),
  ),
  topGroupsByUsage: z.array(
    z.object({
      groupId: z.string(),
      groupName: z.string(),
      dailyCost: CostByCurrency,
      requestCount: z.number().int(),
    }),
  ),
});

export const dashboardRoutes = {
  aiDashboard: defineRoute({
    id: 'aiDashboard',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/ai-dashboard',
    auth: 'admin',
    tag: 'gateway',
    summary: 'The enterprise AI-resource overview for today (UTC): accounts, groups, requests and cost',
    params: z.strictObject({ enterpriseId: Id }),
    response: AiResourceDashboard,
  }),
} as const;

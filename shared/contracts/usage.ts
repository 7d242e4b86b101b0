import { z } from 'zod';
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

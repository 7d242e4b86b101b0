import * as z from 'zod';
import { AuditEvent } from '../../shared/contracts/tenancy';

/** Message on the `audit-events` queue. Bump `version` (and accept both) when the shape changes. */
export const auditEventMessage = z.object({ version: z.literal(1), event: AuditEvent });
export type AuditEventMessage = z.infer<typeof auditEventMessage>;

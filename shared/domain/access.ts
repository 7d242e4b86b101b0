import { DomainError, forbidden, notFound } from './errors';

export type Role = 'platform-admin' | 'enterprise-admin' | 'group-admin' | 'finance' | 'viewer';
export type MemberRole = 'owner' | 'admin' | 'member';

/** The authenticated caller of a management route (a user's JWT or a scoped admin API key). */
export interface Caller {
  subject: string;
  kind: 'user' | 'admin-key';
  /** null only for platform admins, who stand above enterprises. */
  enterpriseId: string | null;
  roles: Role[];
}

export const isPlatformAdmin = (caller: Caller): boolean => caller.roles.includes('platform-admin');

const belongsTo = (caller: Caller, enterpriseId: string): boolean =>
  isPlatformAdmin(caller) || caller.enterpriseId === enterpriseId;

/**
 * For routes that name the enterprise in the path: another tenant's enterprise is FORBIDDEN
 * (the caller already knows the id they typed; nothing is revealed by saying no).
 */
export const requireEnterpriseAccess = (caller: Caller, enterpriseId: string): void => {
  if (!belongsTo(caller, enterpriseId)) throw forbidden('This enterprise is not yours');
};

/**
 * For resources looked up by their own id: one of another tenant is NOT_FOUND, so ids of other
 * enterprises cannot be probed.
 */
export const requireVisible = (caller: Caller, enterpriseId: string, what: string, id: string): void => {
  if (!belongsTo(caller, enterpriseId)) throw notFound(what, id);
};

export const requirePlatformAdmin = (caller: Caller): void => {
  if (!isPlatformAdmin(caller)) throw forbidden('Only a platform admin can do this');
};

/** Enterprise-wide changes: accounts, users, groups, admin keys, bindings. */
export const requireEnterpriseAdmin = (caller: Caller, enterpriseId: string): void => {
  requireEnterpriseAccess(caller, enterpriseId);
  if (isPlatformAdmin(caller) || caller.roles.includes('enterprise-admin')) return;
  throw forbidden('Only an enterprise admin can do this');
};

/**
 * Group-level changes (members, gateway keys, group details): enterprise admins, and group admins
 * who are the group's owner or admin.
 */
export const requireGroupManager = (
  caller: Caller,
  enterpriseId: string,
  callerMembership: MemberRole | null,
): void => {
  requireEnterpriseAccess(caller, enterpriseId);
  if (isPlatformAdmin(caller) || caller.roles.includes('enterprise-admin')) return;
  if (caller.roles.includes('group-admin') && (callerMembership === 'owner' || callerMembership === 'admin'))
    return;
  throw forbidden('Only an enterprise admin or this group\u2019s admin can do this');
};

export const unauthorized = (message = 'Authentication required'): DomainError =>
  new DomainError('UNAUTHORIZED', message);

/** Cost governance (budgets, exchange rates, syncs, anomaly triage): enterprise admins and finance. */
export const requireFinanceManager = (caller: Caller, enterpriseId: string): void => {
  requireEnterpriseAccess(caller, enterpriseId);
  if (
    isPlatformAdmin(caller) ||
    caller.roles.includes('enterprise-admin') ||
    caller.roles.includes('finance')
  )
    return;
  throw forbidden('Only an enterprise admin or finance can do this');
};

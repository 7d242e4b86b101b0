import { describe, expect, it } from 'vitest';
import {
  requireEnterpriseAccess,
  requireEnterpriseAdmin,
  requireGroupManager,
  requireVisible,
  type Caller,
} from '../../../shared/domain/access';

const platform: Caller = { subject: 'p', kind: 'user', enterpriseId: null, roles: ['platform-admin'] };
const adminA: Caller = { subject: 'a', kind: 'user', enterpriseId: 'A', roles: ['enterprise-admin'] };
const viewerA: Caller = { subject: 'v', kind: 'admin-key', enterpriseId: 'A', roles: ['viewer'] };
const groupAdminA: Caller = { subject: 'g', kind: 'user', enterpriseId: 'A', roles: ['group-admin'] };

const code = (fn: () => void) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe('access rules', () => {
  it('scopes every caller but platform admins to their enterprise', () => {
    expect(code(() => requireEnterpriseAccess(platform, 'B'))).toBe('ok');
    expect(code(() => requireEnterpriseAccess(adminA, 'A'))).toBe('ok');
    expect(code(() => requireEnterpriseAccess(adminA, 'B'))).toBe('FORBIDDEN');
    expect(code(() => requireVisible(adminA, 'B', 'Group', 'g1'))).toBe('NOT_FOUND');
  });

  it('lets only enterprise admins change enterprise-wide things', () => {
    expect(code(() => requireEnterpriseAdmin(adminA, 'A'))).toBe('ok');
    expect(code(() => requireEnterpriseAdmin(viewerA, 'A'))).toBe('FORBIDDEN');
    expect(code(() => requireEnterpriseAdmin(groupAdminA, 'A'))).toBe('FORBIDDEN');
  });

  it('lets group admins manage only groups they administer', () => {
    expect(code(() => requireGroupManager(groupAdminA, 'A', 'admin'))).toBe('ok');
    expect(code(() => requireGroupManager(groupAdminA, 'A', 'member'))).toBe('FORBIDDEN');
    expect(code(() => requireGroupManager(groupAdminA, 'A', null))).toBe('FORBIDDEN');
    expect(code(() => requireGroupManager(viewerA, 'A', 'owner'))).toBe('FORBIDDEN');
  });
});

/** Registers an AI account through the admin API (the way an admin would) and returns its id. */
import { expect } from 'vitest';
import type { api } from './http';

export interface AccountInput {
  name: string;
  apiKey: string;
  /** The upstream's base URL (a fake provider on 127.0.0.1). */
  endpoint: string;
  supportedModels: string[];
  serviceType?: string;
  /** Defaults to the name. */
  providerAccountId?: string;
  [field: string]: unknown;
}

export const createAiAccount = async (
  http: ReturnType<typeof api>,
  token: string,
  enterpriseId: string,
  { serviceType = 'openai', ...account }: AccountInput,
): Promise<string> => {
  const created = await http.post(
    `/api/enterprises/${enterpriseId}/ai-accounts`,
    { serviceType, providerAccountId: account.name, ...account },
    { token },
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.data.id as string;
};

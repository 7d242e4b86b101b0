export interface AccountHealthCheck {
  accountId: string;
  enterpriseId: string;
  checkedAt: string;
  isHealthy: boolean;
  responseTimeMs: number;
  errorMessage: string | null;
}

export interface HealthRepository {
  record(check: AccountHealthCheck): Promise<void>;
  history(accountId: string, limit: number): Promise<AccountHealthCheck[]>;
}

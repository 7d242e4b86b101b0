import type { CloudProvider, RawBillPage } from '../domain/bills/types';

/** What a bill source needs to fetch one account's lines for one month. */
export interface BillFetchRequest {
  provider: CloudProvider;
  /** The provider's own account id (AWS payer/linked account, Alibaba UID, Tencent UIN, GCP billing account). */
  accountId: string;
  /** `YYYY-MM` (UTC). */
  periodMonth: string;
  /** The secret behind the account's credentialRef, parsed as a JSON object (provider-specific keys). */
  credentials: Record<string, string>;
  /** Non-secret provider settings stored on the cloud account (endpoint, tag key, dataset, ...). */
  settings: Record<string, string>;
  /** Abort on timeout or shutdown. */
  signal?: AbortSignal;
}

/**
 * One cloud provider's billing API. Yields the period's lines page by page, following the
 * provider's own paging until it is exhausted; throws on authentication or transport failure
 * (the sync job records the error and is retried).
 */
export interface BillSource {
  fetchPages(request: BillFetchRequest): AsyncIterable<RawBillPage>;
}

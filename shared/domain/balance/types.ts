/**
 * Balance monitor vocabulary (seed 002, Balance Alert): the providers whose remaining balance or
 * credits Tollgate polls, and one reading of a balance.
 */

export const BALANCE_PROVIDERS = [
  'openrouter',
  'deepseek',
  'moonshot',
  'siliconflow',
  'aliyun',
  'tencent',
  'http-json',
] as const;
export type BalanceProvider = (typeof BALANCE_PROVIDERS)[number];

/** What a provider said its balance is, exactly as a decimal string (never a float). */
export interface BalanceQuote {
  /** Exact decimal string, e.g. "110.5" or "-3.20" (a postpaid account can be negative). */
  balance: string;
  /** ISO 4217 code (upper case). */
  currency: string;
  /**
   * Provider-specific breakdown worth keeping with the reading, as exact decimal strings, e.g.
   * OpenRouter `{ totalCredits, totalUsage }`, DeepSeek `{ grantedBalance, toppedUpBalance }`.
   */
  details?: Record<string, string>;
}

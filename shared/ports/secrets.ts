/**
 * Where provider credentials and webhook secrets live (Secrets Manager in AWS, an encrypted file
 * locally). The table stores only the returned reference, never the secret.
 */
export interface SecretStore {
  /** Stores `value` under a new reference derived from `name` and returns the reference. */
  put(name: string, value: string): Promise<string>;
  /** Replaces the value behind an existing reference. */
  replace(ref: string, value: string): Promise<void>;
  get(ref: string): Promise<string>;
  delete(ref: string): Promise<void>;
}

/** True when DynamoDB rejected a write's condition (ElectroDB wraps the SDK error in `cause`). */
export const isConditionFailure = (err: unknown): boolean => {
  const e = err as { name?: string; cause?: { name?: string }; originalError?: { name?: string } };
  return [e?.name, e?.cause?.name, e?.originalError?.name].includes('ConditionalCheckFailedException');
};

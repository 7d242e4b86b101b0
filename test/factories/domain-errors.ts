/** The DomainError a call throws, to assert its code, message and details; fails when it throws none. */
import { DomainError } from '../../shared/domain/errors';

export const failure = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
};

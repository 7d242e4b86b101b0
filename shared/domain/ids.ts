import { ulid } from 'ulidx';

/** Time-ordered identifiers, so lists sorted by id are sorted by creation. */
export const newId = (now: Date): string => ulid(now.getTime());

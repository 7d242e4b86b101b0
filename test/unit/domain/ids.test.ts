import { decodeTime, isValid } from 'ulidx';
import { describe, expect, it } from 'vitest';
import { newId } from '../../../shared/domain/ids';

describe('newId', () => {
  it('mints valid, distinct ULIDs that carry their time and sort by it', () => {
    const at = new Date('2026-11-24T12:00:00.000Z');
    const ids = Array.from({ length: 5_000 }, () => newId(at));
    expect(ids.every((id) => isValid(id) && decodeTime(id) === at.getTime())).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(newId(new Date(at.getTime() + 1)) > ids[0]!).toBe(true);
  });

  it('draws every character of the random part (pool refills, no bias to a few values)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) for (const c of newId(new Date(0)).slice(10)) seen.add(c);
    expect(seen.size).toBe(32);
  });
});

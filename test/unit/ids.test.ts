// Ids are random base-62: every character of the alphabet equally likely (no modulo bias), and
// each id the pattern the API validates it with.
import { auditIdPattern, entryIdPattern, jobIdPattern, newAuditId, newEntryId, newJobId, randomAlphanumeric } from '@dnc/shared';
import { describe, expect, it } from 'vitest';

describe('random ids', () => {
  it('when ids are made, then each matches its pattern and none repeats', () => {
    const made = Array.from({ length: 5_000 }, () => [newEntryId(), newJobId(), newAuditId()] as const);
    for (const [entryId, jobId, auditId] of made) {
      expect(entryId).toMatch(entryIdPattern);
      expect(jobId).toMatch(jobIdPattern);
      expect(auditId).toMatch(auditIdPattern);
      expect(auditId).toHaveLength('aud_'.length + 20);
    }
    expect(new Set(made.map(([, , auditId]) => auditId)).size).toBe(made.length);
  });

  it('when 620,000 characters are drawn, then every one of the 62 comes up within 10% of 10,000 times', () => {
    // 10,000 expected each, a standard deviation of about 99: 10% is 10 deviations, so a fair
    // draw never fails this. Taking a byte modulo 62 without skipping the top 8 values would give
    // 8 characters about 25% more than the others.
    const counts = new Map<string, number>();
    for (let i = 0; i < 6_200; i++) {
      for (const character of randomAlphanumeric(100)) counts.set(character, (counts.get(character) ?? 0) + 1);
    }
    expect(counts.size).toBe(62);
    for (const [character, count] of counts) {
      expect({ character, count }).toEqual({ character, count: expect.toSatisfy((n: number) => Math.abs(n - 10_000) <= 1_000) as number });
    }
  });
});

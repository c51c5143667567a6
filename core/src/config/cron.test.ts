import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ZCron, cronIssue } from './cron';

describe('cron expressions', () => {
  it('accepts the five-field subset, with names for months and weekdays', () => {
    for (const ok of ['0 3 * * *', '*/15 * * * *', '0 0 1 1 0', '59 23 31 12 6', '0,30 8-18/2 * JAN-MAR mon-fri', '  5   4 * * sun ']) expect(cronIssue(ok), ok).toBeNull();
  });

  it('names the field and the allowed range of an out-of-range value', () => {
    expect(cronIssue('60 * * * *')).toMatch(/^minute value 60 is out of range 0-59 \(in "60 \* \* \* \*"; expected five fields: .*e\.g\. "0 3 \* \* \*"/);
    expect(cronIssue('0 24 * * *')).toMatch(/^hour value 24 is out of range 0-23/);
    expect(cronIssue('0 0 0 * *')).toMatch(/^day-of-month value 0 is out of range 1-31/);
    expect(cronIssue('0 0 * 13 *')).toMatch(/^month value 13 is out of range 1-12/);
    expect(cronIssue('0 0 * * 7')).toMatch(/^day-of-week value 7 is out of range 0-6/);
  });

  it('refuses other field counts, shortcuts and syntax outside the subset', () => {
    expect(cronIssue('')).toMatch(/^give a cron expression/);
    expect(cronIssue('* * * *')).toMatch(/has 4 fields; expected five fields/);
    expect(cronIssue('0 0 3 * * * 2030')).toMatch(/has 7 fields/);
    expect(cronIssue('@daily')).toMatch(/has 1 field;/);
    for (const bad of ['0 0 ? * *', '0 0 L * *', '0 0 * * 1#2', '*/0 * * * *', '1/5 * * * *', '5-1 * * * *', '1--2 * * * *', ', * * * *', '0 0 * FOO *', 'a\0 * * * *']) {
      expect(cronIssue(bad), bad).not.toBeNull();
    }
  });

  it('never throws on arbitrary input, and normalises whitespace when it accepts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const r = ZCron.safeParse(s);
        if (r.success) expect(r.data).toBe(s.trim().split(/\s+/).join(' '));
        else expect(r.error.issues[0].message.length).toBeGreaterThan(0);
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});

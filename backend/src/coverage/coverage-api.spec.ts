import { ageGroupOf, AGE_GROUPS, coverageRatio } from './coverage-api';

describe('age groups', () => {
  it('counts the age attained during the year, 0–17 … 80+', () => {
    expect(ageGroupOf(2026, 2026)).toBe('0-17');
    expect(ageGroupOf(2009, 2026)).toBe('0-17'); // turns 17
    expect(ageGroupOf(2008, 2026)).toBe('18-29'); // turns 18 this year
    expect(ageGroupOf(1997, 2026)).toBe('18-29');
    expect(ageGroupOf(1996, 2026)).toBe('30-39');
    expect(ageGroupOf(1957, 2026)).toBe('60-69');
    expect(ageGroupOf(1947, 2026)).toBe('70-79');
    expect(ageGroupOf(1946, 2026)).toBe('80+');
    expect(ageGroupOf(1920, 2026)).toBe('80+');
  });

  it('every age lands in one of the listed groups', () => {
    for (let age = 0; age <= 110; age++) expect(AGE_GROUPS).toContain(ageGroupOf(2026 - age, 2026));
  });
});

describe('coverage ratio', () => {
  it('is a share with four decimals, and null without a population', () => {
    expect(coverageRatio(1, 3)).toBe(0.3333);
    expect(coverageRatio(0, 10)).toBe(0);
    expect(coverageRatio(5, 0)).toBeNull();
  });
});

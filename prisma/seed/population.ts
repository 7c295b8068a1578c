import { AGE_BANDS } from './age-bands';
import { Scale } from './catalogue';
import { parseDay } from './dates';
import { MUNICIPALITIES, MunicipalityRow, REGION_POPULATION } from './municipalities';
import { makeIdentityNumber } from './personnummer-gen';
import { Rng } from './prng';

export type PersonSex = 'MALE' | 'FEMALE';

export interface Person {
  identityNumber: string;
  municipalityCode: string;
  /** day number of the birth date */
  birthDay: number;
  sex: PersonSex;
}

/**
 * The register describes the population on SCB's reference date, not on the day the seed runs,
 * so that running it again tomorrow or next year gives the same people.
 */
export const REGISTER_DATE = '2023-12-31';

/** How many people of a municipality the register holds at a scale. */
export function registerSize(m: MunicipalityRow, scale: Scale): number {
  if (scale === 'full') return m.population;
  if (scale === 'small') return Math.round(m.population / 10);
  return Math.round((m.population * 1000) / REGION_POPULATION);
}

/**
 * Each municipality draws birth numbers (NNN) from its own block of the first two digits
 * (00–99, shared out in proportion to population), so two municipalities never produce the same
 * number and each municipality's people can be generated on their own, in order. The first k
 * people of a municipality are therefore the same at every scale: tiny ⊂ small ⊂ full.
 */
export const BIRTH_NUMBER_PREFIXES: ReadonlyMap<string, { from: number; to: number }> = (() => {
  const quotas = MUNICIPALITIES.map((m) => (m.population / REGION_POPULATION) * 100);
  const counts = quotas.map((q) => Math.max(1, Math.floor(q)));
  let left = 100 - counts.reduce((a, b) => a + b, 0);
  const byRemainder = quotas
    .map((q, i) => ({ i, r: q - Math.floor(q) }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % byRemainder.length, left--) counts[byRemainder[k].i]++;
  const out = new Map<string, { from: number; to: number }>();
  let next = 0;
  MUNICIPALITIES.forEach((m, i) => {
    out.set(m.code, { from: next, to: next + counts[i] });
    next += counts[i];
  });
  return out;
})();

const BAND_WEIGHTS = AGE_BANDS.map((b) => b.persons);

function drawAge(rng: Rng): number {
  const band = AGE_BANDS[rng.weightedIndex(BAND_WEIGHTS)];
  if (band.to !== null) return rng.range(band.from, band.to);
  // 80+: an exponential tail with a mean of about seven years, capped at 105.
  return Math.min(105, band.from + Math.floor(-Math.log(1 - rng.next()) * 7));
}

function drawSex(rng: Rng, age: number): PersonSex {
  const pMale = age >= 80 ? 0.4 : age >= 65 ? 0.48 : 0.51;
  return rng.chance(pMale) ? 'MALE' : 'FEMALE';
}

/** The first `count` people of one municipality (a pure function of the code and the count). */
export function generateMunicipalityPeople(m: MunicipalityRow, count: number): Person[] {
  const prefixes = BIRTH_NUMBER_PREFIXES.get(m.code);
  if (!prefixes) throw new Error(`no birth-number block for municipality ${m.code}`);
  const registerDay = parseDay(REGISTER_DATE);
  const rng = new Rng(`population:${m.code}`);
  const taken = new Set<number>();
  const people: Person[] = [];
  const span = prefixes.to - prefixes.from;
  for (let i = 0; i < count; i++) {
    const age = drawAge(rng);
    const sex = drawSex(rng, age);
    let birthDay = registerDay - Math.floor(age * 365.2425) - rng.int(365);
    const parity = sex === 'MALE' ? 1 : 0;
    let serial = 0;
    for (let attempt = 0; serial === 0; attempt++) {
      // Draw NNN = prefix·10 + last digit of the right parity; on a clash draw again, and after
      // many clashes (a crowded birth date) move to the next day.
      if (attempt > 0 && attempt % 64 === 0) birthDay++;
      const candidate = (prefixes.from + rng.int(span)) * 10 + 2 * rng.int(5) + parity;
      if (candidate === 0 || taken.has(birthDay * 1000 + candidate)) continue;
      serial = candidate;
    }
    taken.add(birthDay * 1000 + serial);
    people.push({
      identityNumber: makeIdentityNumber(birthDay, serial),
      municipalityCode: m.code,
      birthDay,
      sex,
    });
  }
  return people;
}

/** The population register at a scale, municipality by municipality in SCB code order. */
export function generatePopulation(scale: Scale): Person[] {
  const out: Person[] = [];
  for (const m of MUNICIPALITIES) {
    for (const p of generateMunicipalityPeople(m, registerSize(m, scale))) out.push(p);
  }
  return out;
}

/** Whole years between a birth day and a day (both day numbers). */
export function ageOn(birthDay: number, day: number): number {
  const b = new Date(birthDay * 86_400_000);
  const d = new Date(day * 86_400_000);
  let age = d.getUTCFullYear() - b.getUTCFullYear();
  if (
    d.getUTCMonth() < b.getUTCMonth() ||
    (d.getUTCMonth() === b.getUTCMonth() && d.getUTCDate() < b.getUTCDate())
  ) {
    age--;
  }
  return age;
}

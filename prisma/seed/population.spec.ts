import Personnummer from 'personnummer';
import { MUNICIPALITIES, REGION_POPULATION } from './municipalities';
import {
  BIRTH_NUMBER_PREFIXES,
  generateMunicipalityPeople,
  generatePopulation,
  Person,
  registerSize,
} from './population';
import { sexOfIdentityNumber } from './personnummer-gen';

describe('synthetic population register', () => {
  let small: Person[];
  beforeAll(() => {
    small = generatePopulation('small');
  });

  it('has exactly the official population at full scale, 10% per municipality at small, about 1,000 at tiny', () => {
    const total = (scale: 'tiny' | 'small' | 'full') =>
      MUNICIPALITIES.reduce((sum, m) => sum + registerSize(m, scale), 0);
    expect(total('full')).toBe(REGION_POPULATION);
    for (const m of MUNICIPALITIES) expect(registerSize(m, 'small')).toBe(Math.round(m.population / 10));
    expect(Math.abs(total('tiny') - 1000)).toBeLessThanOrEqual(13);
  });

  it('gives every municipality its own block of birth numbers', () => {
    const blocks = [...BIRTH_NUMBER_PREFIXES.values()].sort((a, b) => a.from - b.from);
    expect(blocks[0].from).toBe(0);
    expect(blocks[blocks.length - 1].to).toBe(100);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i].from).toBe(blocks[i - 1].to);
  });

  it('makes unique, valid personnummer whose sex digit matches the sex', () => {
    expect(new Set(small.map((p) => p.identityNumber)).size).toBe(small.length);
    const invalid = small.filter(
      (p) =>
        !Personnummer.valid(p.identityNumber, {
          allowCoordinationNumber: false,
          allowInterimNumber: false,
        }) || sexOfIdentityNumber(p.identityNumber) !== p.sex,
    );
    expect(invalid).toEqual([]);
  });

  it('is deterministic, and a smaller scale is a prefix of a larger one (tiny ⊂ small ⊂ full)', () => {
    const jkpg = MUNICIPALITIES.find((m) => m.code === '0680')!;
    const smallJkpg = generateMunicipalityPeople(jkpg, registerSize(jkpg, 'small'));
    const tinyJkpg = generateMunicipalityPeople(jkpg, registerSize(jkpg, 'tiny'));
    expect(generateMunicipalityPeople(jkpg, registerSize(jkpg, 'small'))).toEqual(smallJkpg);
    expect(smallJkpg.slice(0, tinyJkpg.length)).toEqual(tinyJkpg);
    expect(small.filter((p) => p.municipalityCode === '0680')).toEqual(smallJkpg);
  });

  it('shapes ages after the age bands: about a fifth are 65 or older', () => {
    const registerYear = 2023;
    const old = small.filter((p) => registerYear - new Date(p.birthDay * 86_400_000).getUTCFullYear() >= 65);
    expect(old.length / small.length).toBeGreaterThan(0.15);
    expect(old.length / small.length).toBeLessThan(0.25);
  });
});

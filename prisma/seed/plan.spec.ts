import { BATCHES, unitsForScale } from './catalogue';
import { parseDay } from './dates';
import {
  batchKey,
  planBatch,
  planBookings,
  planLedger,
  planTimebook,
  PlanUnit,
  planVaccinations,
  patientFromPerson,
  specialPatients,
} from './plan';
import { generatePopulation } from './population';

const today = parseDay('2026-11-23');
const people = generatePopulation('tiny');
const units: PlanUnit[] = unitsForScale('tiny')
  .filter((u) => u.vaccination)
  .map((u) => ({
    hsaId: u.hsaId,
    municipalityCode: u.municipalityCode,
    nurseColumns: u.nurseColumns,
    bookingUser: null,
    nurseUser: null,
    stockUser: null,
    massVaccination: u.fixed === 'U1',
  }));
const batches = BATCHES.map((b) => planBatch(b, today));
const specials = specialPatients(people);
const plan = () => planVaccinations({ scale: 'tiny', today, people, units, batches, specials });

describe('demo region plan', () => {
  it('is the same plan every time', () => {
    expect(plan()).toEqual(plan());
  });

  it('gives about 300 doses at tiny scale, none twice, none with an expired batch', () => {
    const { vaccinations } = plan();
    expect(vaccinations.length).toBeGreaterThanOrEqual(300);
    expect(vaccinations.length).toBeLessThan(305);
    expect(new Set(vaccinations.map((v) => v.id)).size).toBe(vaccinations.length);
    const expiry = new Map(batches.map((b) => [batchKey(b.product, b.batchNumber), b.expiresOn]));
    for (const v of vaccinations.filter((x) => !x.historical)) {
      expect(v.givenOn).toBeLessThan(expiry.get(batchKey(v.product, v.batchNumber!))!);
      expect(v.givenOn).toBeLessThan(today);
    }
  });

  it('keeps a ledger whose balance is the running sum, never negative, with one entry per dose', () => {
    const { vaccinations } = plan();
    const ledger = planLedger({
      today,
      units,
      batches,
      administered: vaccinations,
      existingBalance: new Map(),
    });
    const balance = new Map<string, number>();
    for (const m of ledger) {
      const key = `${m.unitHsa}|${batchKey(m.batch.product, m.batch.batchNumber)}`;
      const next = (balance.get(key) ?? 0) + m.delta;
      expect(m.balanceAfter).toBe(next);
      expect(next).toBeGreaterThanOrEqual(0);
      balance.set(key, next);
    }
    const administered = ledger.filter((m) => m.kind === 'ADMINISTERED').map((m) => m.vaccinationId);
    expect(administered.sort()).toEqual(
      vaccinations
        .filter((v) => !v.historical)
        .map((v) => v.id)
        .sort(),
    );
  });

  it('tops up an existing pair only as much as the new doses need', () => {
    const { vaccinations } = plan();
    const existingBalance = new Map<string, number>();
    for (const v of vaccinations) {
      if (v.unitHsa && v.batchNumber)
        existingBalance.set(`${v.unitHsa}|${batchKey(v.product, v.batchNumber)}`, 0);
    }
    const ledger = planLedger({ today, units, batches, administered: vaccinations, existingBalance });
    expect(ledger.every((m) => m.balanceAfter >= 0)).toBe(true);
    expect(ledger.some((m) => m.kind === 'WASTAGE')).toBe(false);
  });

  it('books about a fifth of the free slots at tiny scale, each person and slot once', () => {
    const vaccination = plan();
    const timebook = planTimebook(units, today, 7);
    const byIdentity = new Map(people.map((p) => [p.identityNumber, p]));
    const bookings = planBookings({
      scale: 'tiny',
      today,
      slots: timebook.slots,
      units,
      people,
      vaccination,
      specials,
      patientOf: (id) =>
        specials.find((s) => s.identityNumber === id) ?? patientFromPerson(byIdentity.get(id)!),
      unavailable: () => false,
      alreadyBooked: new Set(),
    });
    const open = timebook.slots.filter((s) => !s.blocked).length;
    expect(bookings.length / open).toBeGreaterThan(0.15);
    expect(bookings.length / open).toBeLessThan(0.25);
    expect(new Set(bookings.map((b) => b.identityNumber)).size).toBe(bookings.length);
    expect(new Set(bookings.map((b) => b.slot.key)).size).toBe(bookings.length);
    expect(
      bookings
        .filter((b) => b.visitType === 'covidDose2')
        .every((b) => [3, 4, 5].includes(new Date(b.slot.startMs).getUTCDay())),
    ).toBe(true);
    const protectedBooking = bookings.find((b) =>
      specials.some((s) => s.protectedIdentity && s.identityNumber === b.identityNumber),
    );
    expect(protectedBooking?.phone).toBeNull();
  });
});

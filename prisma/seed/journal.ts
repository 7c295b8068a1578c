/**
 * Journal demo data (R5, R6, R19, R20, R22), small and fixed: a guardian with two minor children
 * (one child's dose given abroad is shown, the other's is sealed by the provider), a citizen's
 * health declaration with a flag and doses 1 and 2 prescribed for a patient booked at U1, so that
 * a nurse can give the dose in the demo.
 *
 * Deterministic (ids from natural keys, people chosen by rule from the register) and idempotent
 * (ON CONFLICT DO NOTHING everywhere; historical doses take no stock, so the ledger is untouched).
 */
import type { PoolClient } from 'pg';
import { formatDay } from './dates';
import { seedId } from './ids';
import { FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES } from './names';
import type { Person } from './population';

export interface JournalSeedInput {
  people: readonly Person[];
  today: number;
  unitU1: string;
  productComirnaty: string;
  productInfluenza: string;
  /** Lena Läkare (PHYSICIAN at U1) prescribes */
  physicianId: string;
  /** the coordination-number patient booked at U1 the next weekday */
  bookedPatient: string | null;
}

export interface JournalSeedCounts {
  journalPatients: number;
  guardianships: number;
  journalDoses: number;
  declarations: number;
  prescriptions: number;
}

const pick = <T>(list: readonly T[], key: string): T => {
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return list[h % list.length]!;
};

/** What the seed made, and the guardian's number (log in as this citizen in "Mina vaccinationer"). */
export async function seedJournal(
  client: PoolClient,
  input: JournalSeedInput,
): Promise<{ counts: JournalSeedCounts; guardian: string | null }> {
  const n: JournalSeedCounts = {
    journalPatients: 0,
    guardianships: 0,
    journalDoses: 0,
    declarations: 0,
    prescriptions: 0,
  };
  const ageDays = (p: Person) => input.today - p.birthDay;
  const jkpg = input.people.filter((p) => p.municipalityCode === '0680');
  // The first adult of 35–50 and the first two children of 6–12 in Jönköping, by identity number.
  const byNumber = [...jkpg].sort((a, b) => a.identityNumber.localeCompare(b.identityNumber));
  const guardian = byNumber.find((p) => ageDays(p) > 35 * 365.25 && ageDays(p) < 50 * 365.25);
  const children = byNumber.filter((p) => ageDays(p) > 6 * 365.25 && ageDays(p) < 12 * 365.25).slice(0, 2);
  if (!guardian || children.length < 2) return { counts: n, guardian: null };

  const lastName = pick(LAST_NAMES, guardian.identityNumber);
  const family = [guardian, ...children];
  for (const p of family) {
    const first = pick(
      p.sex === 'FEMALE' ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES,
      `journal:${p.identityNumber}`,
    );
    const res = await client.query(
      `INSERT INTO patient (id, identity_number, identity_type, first_name, last_name, birth_date, sex, municipality_code)
       VALUES ($1, $2, 'PERSONNUMMER', $3, $4, $5::date, $6::"Sex", $7)
       ON CONFLICT (identity_number) DO NOTHING`,
      [
        seedId(`patient:${p.identityNumber}`),
        p.identityNumber,
        first,
        lastName,
        formatDay(p.birthDay),
        p.sex,
        p.municipalityCode,
      ],
    );
    n.journalPatients += res.rowCount ?? 0;
  }
  const idOf = async (identity: string) =>
    (await client.query<{ id: string }>('SELECT id FROM patient WHERE identity_number = $1', [identity]))
      .rows[0]!.id;
  const guardianId = await idOf(guardian.identityNumber);
  for (const c of children) {
    const res = await client.query(
      `INSERT INTO guardianship (guardian_id, child_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [guardianId, await idOf(c.identityNumber)],
    );
    n.guardianships += res.rowCount ?? 0;
  }

  // R22: doses given abroad, recorded at U1 (no batch: they never came from stock). The second
  // child's is sealed by the provider (R5): the guardian does not see it.
  const doses: Array<{
    who: Person;
    key: string;
    product: string;
    daysAgo: number;
    comment: string;
    sealed: boolean;
  }> = [
    {
      who: guardian,
      key: 'guardian-covid-1',
      product: input.productComirnaty,
      daysAgo: 200,
      comment: 'Dos given i Danmark enligt vaccinationskort',
      sealed: false,
    },
    {
      who: children[0]!,
      key: 'child1-influenza',
      product: input.productInfluenza,
      daysAgo: 40,
      comment: 'Given i Norge under vistelse',
      sealed: false,
    },
    {
      who: children[1]!,
      key: 'child2-influenza',
      product: input.productInfluenza,
      daysAgo: 40,
      comment: 'Given i Norge under vistelse',
      sealed: true,
    },
  ];
  for (const d of doses) {
    const day = formatDay(input.today - d.daysAgo);
    const res = await client.query(
      `INSERT INTO vaccination (id, patient_id, product_id, dose_number, given_at, given_on, historical, comment,
                                recorded_unit_id, sealed_by_provider)
       VALUES ($1, $2, $3, 1, ($4::date + time '12:00') AT TIME ZONE 'Europe/Stockholm', $4::date, true, $5, $6, $7)
       ON CONFLICT (id) DO NOTHING`,
      [
        seedId(`journal-dose:${d.key}`),
        await idOf(d.who.identityNumber),
        d.product,
        day,
        d.comment,
        input.unitU1,
        d.sealed,
      ],
    );
    n.journalDoses += res.rowCount ?? 0;
  }

  // R19/R20: the booked patient filled the declaration on the web (one flag) and the physician
  // prescribed doses 1 and 2 of Comirnaty, so that a nurse can "Signera administrering".
  if (input.bookedPatient) {
    const pid = await idOf(input.bookedPatient);
    const declId = seedId(`journal-declaration:${input.bookedPatient}`);
    const answers = {
      feverOrIllToday: false,
      severeAllergy: false,
      reactionToEarlierDose: false,
      bleedingOrAnticoagulants: true,
      weakenedImmuneSystem: false,
      pregnant: false,
      otherVaccineLastWeek: false,
      covidLastThreeMonths: false,
      myocarditis: false,
    };
    const decl = await client.query(
      `INSERT INTO health_declaration (id, patient_id, answers, flags, source, disease_area, comment)
       VALUES ($1, $2, $3::jsonb, ARRAY['BLEEDING_RISK'], 'CITIZEN', 'COVID-19', 'Tar Waran')
       ON CONFLICT (id) DO NOTHING`,
      [declId, pid, JSON.stringify(answers)],
    );
    n.declarations += decl.rowCount ?? 0;
    for (const dose of [1, 2]) {
      // a second run finds the prescription (or its dose given) and adds nothing
      const res = await client.query(
        `INSERT INTO prescription (id, patient_id, unit_id, product_id, dose_number, disease_area, declaration_id,
                                   prescribed_by_id)
         SELECT $1, $2, $3, $4, $5, 'COVID-19', $6, $7
          WHERE NOT EXISTS (SELECT 1 FROM prescription WHERE patient_id = $2 AND dose_number = $5
                              AND disease_area = 'COVID-19' AND status = 'ACTIVE')
         ON CONFLICT (id) DO NOTHING`,
        [
          seedId(`journal-prescription:${input.bookedPatient}:${dose}`),
          pid,
          input.unitU1,
          input.productComirnaty,
          dose,
          declId,
          input.physicianId,
        ],
      );
      n.prescriptions += res.rowCount ?? 0;
    }
  }
  return { counts: n, guardian: guardian.identityNumber };
}

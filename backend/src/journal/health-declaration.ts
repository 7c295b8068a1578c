import { z } from 'zod';

/**
 * R19: the health declaration before a COVID-19 or influenza vaccination. The questions follow
 * the declarations Swedish regions use before these vaccinations (the seeds name the declaration
 * but do not list its questions). A "yes" to any of them is flagged for the prescriber: none of
 * them forbids the dose by itself, each needs a prescriber's look.
 *
 * Pure: the citizen booking flow and the staff form call `flagDeclaration` / `parseDeclaration`.
 */
export type DiseaseArea = 'COVID-19' | 'INFLUENSA';
export const DISEASE_AREAS: readonly DiseaseArea[] = ['COVID-19', 'INFLUENSA'];

export interface DeclarationQuestion {
  id: string;
  /** the flag raised by a "yes" */
  flag: string;
  sv: string;
  en: string;
  /** what the prescriber is told when it is raised */
  flagSv: string;
  areas: readonly DiseaseArea[];
}

const BOTH: readonly DiseaseArea[] = ['COVID-19', 'INFLUENSA'];

export const DECLARATION_QUESTIONS: readonly DeclarationQuestion[] = [
  {
    id: 'feverOrIllToday',
    flag: 'FEVER_OR_ILLNESS',
    sv: 'Har du feber (38 °C eller mer) eller känner du dig sjuk i dag?',
    en: 'Do you have a fever (38 °C or more) or feel ill today?',
    flagSv: 'Feber eller sjukdomskänsla i dag: överväg att skjuta upp vaccinationen',
    areas: BOTH,
  },
  {
    id: 'severeAllergy',
    flag: 'SEVERE_ALLERGY',
    sv: 'Har du någon gång fått en allvarlig allergisk reaktion (anafylaxi)?',
    en: 'Have you ever had a severe allergic reaction (anaphylaxis)?',
    flagSv: 'Tidigare anafylaxi: bedöm risken och förlängd observationstid',
    areas: BOTH,
  },
  {
    id: 'reactionToEarlierDose',
    flag: 'REACTION_TO_EARLIER_DOSE',
    sv: 'Har du fått en kraftig reaktion efter en tidigare dos av samma slags vaccin?',
    en: 'Did you have a strong reaction after an earlier dose of this kind of vaccine?',
    flagSv: 'Kraftig reaktion efter tidigare dos',
    areas: BOTH,
  },
  {
    id: 'bleedingOrAnticoagulants',
    flag: 'BLEEDING_RISK',
    sv: 'Har du en blödningssjukdom eller tar du blodförtunnande läkemedel?',
    en: 'Do you have a bleeding disorder or take blood thinners?',
    flagSv: 'Blödningsrisk: komprimera injektionsstället längre',
    areas: BOTH,
  },
  {
    id: 'weakenedImmuneSystem',
    flag: 'IMMUNOSUPPRESSION',
    sv: 'Har du nedsatt immunförsvar eller tar du läkemedel som påverkar immunförsvaret?',
    en: 'Do you have a weakened immune system or take medicines that affect it?',
    flagSv: 'Nedsatt immunförsvar: kontrollera dosschema',
    areas: BOTH,
  },
  {
    id: 'pregnant',
    flag: 'PREGNANCY',
    sv: 'Är du gravid?',
    en: 'Are you pregnant?',
    flagSv: 'Graviditet: kontrollera rekommenderat vaccin',
    areas: BOTH,
  },
  {
    id: 'otherVaccineLastWeek',
    flag: 'RECENT_OTHER_VACCINE',
    sv: 'Har du fått något annat vaccin de senaste sju dagarna?',
    en: 'Have you had any other vaccine in the last seven days?',
    flagSv: 'Annat vaccin senaste sju dagarna',
    areas: BOTH,
  },
  {
    id: 'covidLastThreeMonths',
    flag: 'RECENT_COVID',
    sv: 'Har du haft covid-19 de senaste tre månaderna?',
    en: 'Have you had COVID-19 in the last three months?',
    flagSv: 'Covid-19 senaste tre månaderna: kontrollera intervall',
    areas: ['COVID-19'],
  },
  {
    id: 'myocarditis',
    flag: 'MYOCARDITIS_HISTORY',
    sv: 'Har du haft hjärtmuskelinflammation eller hjärtsäcksinflammation (myokardit/perikardit)?',
    en: 'Have you had myocarditis or pericarditis?',
    flagSv: 'Tidigare myokardit/perikardit: bedöm val av vaccin',
    areas: ['COVID-19'],
  },
  {
    id: 'eggAllergy',
    flag: 'EGG_ALLERGY',
    sv: 'Är du allergisk mot ägg?',
    en: 'Are you allergic to eggs?',
    flagSv: 'Äggallergi: kontrollera vaccinets innehåll',
    areas: ['INFLUENSA'],
  },
];

export function questionsFor(area: DiseaseArea): DeclarationQuestion[] {
  return DECLARATION_QUESTIONS.filter((q) => q.areas.includes(area));
}

/** The flags raised by a set of answers: every question answered "yes", in question order. */
export function flagDeclaration(area: DiseaseArea, answers: Record<string, boolean>): string[] {
  return questionsFor(area)
    .filter((q) => answers[q.id] === true)
    .map((q) => q.flag);
}

/** The prescriber's text for each flag (Swedish), for lists and the printed journal. */
export function flagText(flag: string): string {
  return DECLARATION_QUESTIONS.find((q) => q.flag === flag)?.flagSv ?? flag;
}

export const declarationSchema = z
  .object({
    diseaseArea: z.enum(['COVID-19', 'INFLUENSA'], { message: 'must be COVID-19 or INFLUENSA' }),
    answers: z.record(z.string(), z.boolean({ message: 'must be true or false' })),
    comment: z.string().trim().max(1000, 'is too long (1000 characters at most)').optional(),
  })
  .superRefine((d, ctx) => {
    const expected = questionsFor(d.diseaseArea);
    for (const q of expected) {
      if (typeof d.answers[q.id] !== 'boolean') {
        ctx.addIssue({
          code: 'custom',
          path: ['answers', q.id],
          message: 'must be answered (true or false)',
        });
        return;
      }
    }
    const known = new Set(expected.map((q) => q.id));
    const unknown = Object.keys(d.answers).find((k) => !known.has(k));
    if (unknown)
      ctx.addIssue({ code: 'custom', path: ['answers', unknown], message: 'is not a question here' });
  });

export type DeclarationInput = z.infer<typeof declarationSchema>;

/**
 * Validates a declaration and computes its flags. Throws nothing: the result says what is wrong,
 * so that a caller outside the HTTP layer (the citizen booking flow) can use it too.
 */
export function parseDeclaration(
  input: unknown,
): { ok: true; value: DeclarationInput; flags: string[] } | { ok: false; field: string; message: string } {
  const res = declarationSchema.safeParse(input);
  if (!res.success) {
    const issue = res.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    return { ok: false, field, message: `${field}: ${issue.message}` };
  }
  return { ok: true, value: res.data, flags: flagDeclaration(res.data.diseaseArea, res.data.answers) };
}

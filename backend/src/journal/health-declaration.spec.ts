import { flagDeclaration, parseDeclaration, questionsFor } from './health-declaration';

const allNo = (area: 'COVID-19' | 'INFLUENSA') =>
  Object.fromEntries(questionsFor(area).map((q) => [q.id, false]));

describe('health declaration (R19)', () => {
  it('raises no flag when every answer is no', () => {
    expect(flagDeclaration('COVID-19', allNo('COVID-19'))).toEqual([]);
  });

  it('flags each risky answer for the prescriber, in question order', () => {
    const answers = { ...allNo('COVID-19'), pregnant: true, severeAllergy: true };
    expect(flagDeclaration('COVID-19', answers)).toEqual(['SEVERE_ALLERGY', 'PREGNANCY']);
  });

  it('asks about egg allergy before influenza only, and about myocarditis before COVID-19 only', () => {
    expect(questionsFor('INFLUENSA').map((q) => q.id)).toContain('eggAllergy');
    expect(questionsFor('COVID-19').map((q) => q.id)).not.toContain('eggAllergy');
    expect(questionsFor('COVID-19').map((q) => q.id)).toContain('myocarditis');
  });

  it('refuses a declaration with an unanswered question, naming it', () => {
    const answers: Record<string, boolean> = allNo('INFLUENSA');
    delete answers.eggAllergy;
    const res = parseDeclaration({ diseaseArea: 'INFLUENSA', answers });
    expect(res).toMatchObject({ ok: false, field: 'answers.eggAllergy' });
  });

  it('refuses an answer to a question that is not asked for that vaccine', () => {
    const res = parseDeclaration({
      diseaseArea: 'INFLUENSA',
      answers: { ...allNo('INFLUENSA'), myocarditis: true },
    });
    expect(res).toMatchObject({ ok: false, field: 'answers.myocarditis' });
  });

  it('accepts a complete declaration with a comment and returns its flags', () => {
    const res = parseDeclaration({
      diseaseArea: 'INFLUENSA',
      answers: { ...allNo('INFLUENSA'), eggAllergy: true },
      comment: ' Lindrig äggallergi ',
    });
    expect(res).toEqual({
      ok: true,
      value: expect.objectContaining({ comment: 'Lindrig äggallergi' }),
      flags: ['EGG_ALLERGY'],
    });
  });
});

import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { journalApi } from '../../api/journal';
import { createAppI18n } from '../../i18n';
import HealthDeclarationForm from './HealthDeclarationForm.vue';

const questions = [
  { id: 'feverOrIllToday', sv: 'Har du feber?', en: 'Fever?', flag: 'FEVER_OR_ILLNESS' },
  { id: 'pregnant', sv: 'Är du gravid?', en: 'Pregnant?', flag: 'PREGNANCY' },
];

describe('health declaration form (R19)', () => {
  beforeEach(() => {
    vi.spyOn(journalApi, 'questions').mockResolvedValue([{ diseaseArea: 'COVID-19', questions }]);
  });
  afterEach(() => vi.restoreAllMocks());

  it('refuses to save with unanswered questions, without asking the server', async () => {
    const declare = vi.spyOn(journalApi, 'declare');
    const w = mount(HealthDeclarationForm, {
      props: { pnr: '199001010017' },
      global: { plugins: [createAppI18n('sv')] },
    });
    await flushPromises();
    await w.get('[data-testid="question-feverOrIllToday"] input[type=radio]').setValue(true);
    await w.get('form').trigger('submit');
    expect(w.get('[data-testid="declaration-error"]').text()).toBe('1 fråga/frågor är obesvarade.');
    expect(declare).not.toHaveBeenCalled();
  });

  it('sends every answer and the comment, and reports the flags', async () => {
    const declare = vi
      .spyOn(journalApi, 'declare')
      .mockResolvedValue({ id: 'd1', flags: [{ code: 'PREGNANCY', text: 'Graviditet' }] });
    const w = mount(HealthDeclarationForm, {
      props: { pnr: '199001010017' },
      global: { plugins: [createAppI18n('sv')] },
    });
    await flushPromises();
    const radios = (id: string) => w.findAll(`[data-testid="question-${id}"] input[type=radio]`);
    await radios('feverOrIllToday')[1]!.setValue(true);
    await radios('pregnant')[0]!.setValue(true);
    await w.get('textarea').setValue(' Vecka 20 ');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(declare).toHaveBeenCalledWith('199001010017', {
      diseaseArea: 'COVID-19',
      answers: { feverOrIllToday: false, pregnant: true },
      comment: 'Vecka 20',
    });
    expect(w.emitted('saved')).toEqual([[[{ code: 'PREGNANCY', text: 'Graviditet' }]]]);
  });
});

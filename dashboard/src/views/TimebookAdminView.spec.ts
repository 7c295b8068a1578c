import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { ApiError } from '../api/http';
import { productsApi } from '../api/products';
import { timebookApi } from '../api/timebook';
import type { TimebookBlock } from '../api/types';
import { unitsApi } from '../api/units';
import { visitTypesApi } from '../api/visitTypes';
import { createAppI18n } from '../i18n';
import { mayEnter } from '../lib/roles';
import { useAuthStore } from '../stores/auth';
import { UNIT, visitTypes } from '../test/fixtures';
import { products, sessionAs } from '../test/stock-fixtures';
import TimebookAdminView from './TimebookAdminView.vue';

/** Monday 3 March 2025, early morning in Sweden. */
const TODAY = '2025-03-03';
const DAY = '2025-03-04';

const block: TimebookBlock = {
  id: 'bl-1',
  start: `${DAY}T12:00:00+01:00`,
  end: `${DAY}T13:00:00+01:00`,
  note: 'Personalmöte',
  slots: 9,
};

async function mountView(role = 'TIMEBOOK_ADMIN') {
  const pinia = createPinia();
  setActivePinia(pinia);
  useAuthStore().session = sessionAs(role);
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/tidbok', name: 'timebook', component: { render: () => null } },
      { path: '/tidbok/admin', name: 'timebookAdmin', component: TimebookAdminView },
    ],
  });
  await router.push(`/tidbok/admin?date=${DAY}`);
  await router.isReady();
  const wrapper = mount(TimebookAdminView, {
    global: { plugins: [pinia, createAppI18n('sv'), router] },
    attachTo: document.body,
  });
  await flushPromises();
  return { wrapper, router };
}

const byTestId = (w: VueWrapper, id: string) => w.get(`[data-testid="${id}"]`);
/** sv-SE groups thousands with a no-break space. */
const nbsp = (s: string) => s.replace(/(\d) (\d)/g, '$1\u00a0$2');

describe('timebook administration', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date(`${TODAY}T07:00:00+01:00`));
    vi.spyOn(timebookApi, 'resources').mockResolvedValue([
      { resource: 'SKOTERSKA', name: 'Sköterskor', columns: 3 },
      { resource: 'LAKARE', name: 'Läkare', columns: 1 },
    ]);
    vi.spyOn(unitsApi, 'visitTypes').mockResolvedValue(
      structuredClone(visitTypes).map((v) => ({ ...v, durationMinutes: v.resource === 'LAKARE' ? 20 : 10 })),
    );
    vi.spyOn(productsApi, 'list').mockResolvedValue(products);
    vi.spyOn(timebookApi, 'blocks').mockResolvedValue([]);
    vi.spyOn(timebookApi, 'days').mockResolvedValue([]);
  });
  afterEach(() => {
    vi.useRealTimers();
    document.body.innerHTML = '';
  });

  it('is for timebook administrators and administrators', () => {
    expect(mayEnter('timebookAdmin', 'TIMEBOOK_ADMIN')).toBe(true);
    expect(mayEnter('timebookAdmin', 'ADMIN')).toBe(true);
    for (const role of ['BOOKING', 'NURSE', 'PHYSICIAN', 'STOCK_MANAGER', 'SMITTSKYDD', null])
      expect(mayEnter('timebookAdmin', role)).toBe(false);
  });

  it('an assignment that may not administer sees why, and nothing is fetched', async () => {
    const { wrapper } = await mountView('BOOKING');
    expect(wrapper.text()).toContain('Ditt aktiva uppdrag får inte administrera tidboken.');
    expect(wrapper.find('[data-testid="tb-template-form"]').exists()).toBe(false);
    expect(timebookApi.blocks).not.toHaveBeenCalled();
    expect(unitsApi.visitTypes).not.toHaveBeenCalled();
  });

  describe('opening times from a weekly template', () => {
    it('previews the times per weekday and in total, then opens them and says how many existed', async () => {
      const open = vi.spyOn(timebookApi, 'openSlots').mockResolvedValue({ created: 122, skipped: 4 });
      const { wrapper } = await mountView();

      // the defaults: a nurse's 10 minutes and the resource's 3 columns
      expect((byTestId(wrapper, 'tb-template-minutes').element as HTMLInputElement).value).toBe('10');
      expect((byTestId(wrapper, 'tb-template-columns').element as HTMLInputElement).value).toBe('3');
      expect(wrapper.get('#tbo-columns-hint').text()).toBe('Resursen har nu 3 kolumner.');
      // tomorrow and four weeks on: 20 weekdays × 42 times × 3 columns
      expect(byTestId(wrapper, 'tb-template-submit').text()).toBe(nbsp('Öppna 2 520 tider'));

      await byTestId(wrapper, 'tb-template-from').setValue('2025-03-10');
      await byTestId(wrapper, 'tb-template-to').setValue('2025-03-16');
      expect(byTestId(wrapper, 'tb-template-perday-1').text()).toBe('126 tider per dag');
      expect(byTestId(wrapper, 'tb-template-preview-1').text()).toContain('42 × 3 kolumner');
      expect(byTestId(wrapper, 'tb-template-total').text()).toBe('630');
      expect(byTestId(wrapper, 'tb-template-submit').text()).toBe('Öppna 630 tider');

      // a physician: 20 minutes, one column, unless typed otherwise
      await byTestId(wrapper, 'tb-template-resource').setValue('LAKARE');
      expect((byTestId(wrapper, 'tb-template-minutes').element as HTMLInputElement).value).toBe('20');
      expect((byTestId(wrapper, 'tb-template-columns').element as HTMLInputElement).value).toBe('1');
      expect(byTestId(wrapper, 'tb-template-total').text()).toBe('105');

      // Saturday opens with the usual hours; a third interval on Monday afternoon
      await byTestId(wrapper, 'tb-template-open-6').setValue(true);
      expect(byTestId(wrapper, 'tb-template-perday-6').text()).toBe('21 tider per dag');
      await byTestId(wrapper, 'tb-template-add-1').trigger('click');
      expect(document.activeElement).toBe(byTestId(wrapper, 'tb-template-start-1-2').element);
      await byTestId(wrapper, 'tb-template-start-1-2').setValue('16:00');
      await byTestId(wrapper, 'tb-template-end-1-2').setValue('17:00');
      expect(byTestId(wrapper, 'tb-template-submit').text()).toBe('Öppna 129 tider');

      await byTestId(wrapper, 'tb-template-submit').trigger('click');
      await flushPromises();
      const hours = [
        { start: '08:00', end: '12:00' },
        { start: '13:00', end: '16:00' },
      ];
      expect(open).toHaveBeenCalledWith(UNIT, {
        resource: 'LAKARE',
        from: '2025-03-10',
        to: '2025-03-16',
        slotMinutes: 20,
        columns: 1,
        weekdays: {
          '1': [...hours, { start: '16:00', end: '17:00' }],
          '2': hours,
          '3': hours,
          '4': hours,
          '5': hours,
          '6': hours,
          '7': [],
        },
      });
      expect(byTestId(wrapper, 'tb-template-result').text()).toBe(
        '122 tider öppnades. 4 fanns redan och behölls.',
      );
    });

    it('says what is wrong next to the field or interval, and sends nothing', async () => {
      const open = vi.spyOn(timebookApi, 'openSlots');
      const { wrapper } = await mountView();
      await byTestId(wrapper, 'tb-template-from').setValue('2025-03-10');
      await byTestId(wrapper, 'tb-template-to').setValue('2025-06-15');
      await byTestId(wrapper, 'tb-template-end-1-0').setValue('07:00');
      await byTestId(wrapper, 'tb-template-start-2-1').setValue('11:00');
      expect(byTestId(wrapper, 'tb-template-preview').text()).toContain('Fyll i period');

      await byTestId(wrapper, 'tb-template-submit').trigger('click');
      await flushPromises();
      expect(open).not.toHaveBeenCalled();
      expect(wrapper.get('#tbo-err-to').text()).toContain(
        'Perioden är 98 dagar. Högst 92 dagar går åt gången.',
      );
      expect(byTestId(wrapper, 'tb-template-to').attributes('aria-describedby')).toContain('tbo-err-to');
      expect(wrapper.get('#tbo-1-0-err').text()).toContain('Till måste vara senare än Från.');
      expect(byTestId(wrapper, 'tb-template-end-1-0').attributes('aria-invalid')).toBe('true');
      expect(byTestId(wrapper, 'tb-template-start-1-0').attributes('aria-invalid')).toBe('false');
      expect(wrapper.get('#tbo-2-1-err').text()).toContain('Intervallet överlappar 08:00–12:00.');
      // the first wrong field has the focus
      expect(document.activeElement).toBe(byTestId(wrapper, 'tb-template-to').element);

      // correcting a field answers its error
      await byTestId(wrapper, 'tb-template-to').setValue('2025-03-16');
      expect(wrapper.find('#tbo-err-to').exists()).toBe(false);
    });

    it('the server names an interval: its message goes next to it', async () => {
      vi.spyOn(timebookApi, 'openSlots').mockRejectedValue(
        new ApiError({
          statusCode: 400,
          error: 'Bad Request',
          message: 'weekdays.3.1.start: must be a local time as HH:MM',
          field: 'weekdays.3.1.start',
        }),
      );
      const { wrapper } = await mountView();
      await byTestId(wrapper, 'tb-template-submit').trigger('click');
      await flushPromises();
      expect(wrapper.get('#tbo-3-1-err').text()).toContain('must be a local time as HH:MM');
      expect(byTestId(wrapper, 'tb-template-start-3-1').attributes('aria-invalid')).toBe('true');
    });

    it('columns it cannot fetch are asked for, not guessed', async () => {
      vi.spyOn(timebookApi, 'resources').mockRejectedValue(
        new ApiError({ statusCode: 404, error: 'Not Found', message: '' }),
      );
      const open = vi.spyOn(timebookApi, 'openSlots');
      const { wrapper } = await mountView();
      expect(wrapper.get('#tbo-columns-hint').text()).toBe(
        'Resursens antal kolumner kunde inte hämtas: ange hur många.',
      );
      expect(byTestId(wrapper, 'tb-template-submit').text()).toBe('Öppna tider');
      await byTestId(wrapper, 'tb-template-submit').trigger('click');
      await flushPromises();
      expect(wrapper.get('#tbo-err-columns').text()).toContain('Ange antal kolumner (1–20).');
      expect(open).not.toHaveBeenCalled();
      await byTestId(wrapper, 'tb-template-columns').setValue('2');
      expect(byTestId(wrapper, 'tb-template-submit').text()).toBe(nbsp('Öppna 1 680 tider'));
    });
  });

  describe('blocking part of a day with a note', () => {
    it('requires the times and a note before sending', async () => {
      const create = vi.spyOn(timebookApi, 'createBlock');
      const { wrapper } = await mountView();
      expect(wrapper.get('label[for="tbb-note"]').text()).toBe('Anteckning');
      await byTestId(wrapper, 'tb-block-submit').trigger('click');
      await flushPromises();
      expect(wrapper.get('#tbb-err-from').text()).toContain('Ange tiden som TT:MM, t.ex. 12:00.');
      expect(byTestId(wrapper, 'tb-block-note-error').text()).toContain(
        'Skriv en anteckning, t.ex. Personalmöte.',
      );
      expect(byTestId(wrapper, 'tb-block-note').attributes('aria-describedby')).toContain('tbb-err-note');
      expect(document.activeElement).toBe(byTestId(wrapper, 'tb-block-from').element);
      expect(create).not.toHaveBeenCalled();
    });

    it('blocks the free times, says how many booked ones stay, and lists the block', async () => {
      const create = vi
        .spyOn(timebookApi, 'createBlock')
        .mockResolvedValue({ id: 'bl-1', blocked: 7, alreadyBooked: 2 });
      const { wrapper } = await mountView();
      expect(byTestId(wrapper, 'tb-blocks-empty').text()).toBe('Inga blockeringar den här dagen.');
      vi.spyOn(timebookApi, 'blocks').mockResolvedValue([block]);

      await byTestId(wrapper, 'tb-block-from').setValue('12:00');
      await byTestId(wrapper, 'tb-block-to').setValue('13:00');
      await byTestId(wrapper, 'tb-block-note').setValue(' Personalmöte ');
      await byTestId(wrapper, 'tb-block-submit').trigger('click');
      await flushPromises();

      expect(create).toHaveBeenCalledWith(UNIT, {
        date: DAY,
        from: '12:00',
        to: '13:00',
        note: 'Personalmöte',
      });
      const done = byTestId(wrapper, 'tb-block-done');
      expect(done.attributes('role')).toBe('status');
      expect(done.text()).toContain('7 tider blockerades.');
      expect(byTestId(wrapper, 'tb-block-already-booked').text()).toBe(
        '2 tider var redan bokade och ligger kvar.',
      );
      const row = byTestId(wrapper, 'tb-block-bl-1');
      expect(row.findAll('td').map((td) => td.text())).toEqual([
        '12:00–13:00',
        'Alla resurser',
        'Personalmöte',
        '9',
        'Ta bort',
      ]);
      // ready for the next block in the same range
      expect((byTestId(wrapper, 'tb-block-note').element as HTMLInputElement).value).toBe('');
    });

    it('removing a block frees its times', async () => {
      vi.spyOn(timebookApi, 'blocks').mockResolvedValue([{ ...block, resource: 'SKOTERSKA' }]);
      const remove = vi.spyOn(timebookApi, 'removeBlock').mockResolvedValue({});
      const { wrapper } = await mountView();
      const button = byTestId(wrapper, 'tb-block-remove-bl-1');
      expect(button.attributes('aria-label')).toBe('Ta bort blockeringen 12:00–13:00, Personalmöte');
      expect(byTestId(wrapper, 'tb-block-bl-1').text()).toContain('Sjuksköterska');
      await button.trigger('click');
      await flushPromises();
      expect(remove).toHaveBeenCalledWith('bl-1');
      expect(wrapper.find('[data-testid="tb-block-bl-1"]').exists()).toBe(false);
      expect(byTestId(wrapper, 'tb-block-list-status').text()).toBe(
        'Blockeringen 12:00–13:00 är borttagen. Tiderna är lediga igen.',
      );
    });

    it('a day that has passed cannot be blocked', async () => {
      vi.setSystemTime(new Date('2025-03-05T07:00:00+01:00'));
      const { wrapper } = await mountView();
      expect(byTestId(wrapper, 'tb-block-submit').attributes('disabled')).toBeDefined();
    });
  });

  describe('the day’s note and web booking', () => {
    it('shows what the day has and saves the change', async () => {
      vi.spyOn(timebookApi, 'days').mockResolvedValue([
        { date: DAY, note: 'Vaccinleverans väntas', webBookingClosed: false },
      ]);
      const save = vi
        .spyOn(timebookApi, 'saveDay')
        .mockResolvedValue({ date: DAY, note: 'Vaccinleverans efter lunch', webBookingClosed: true });
      const { wrapper } = await mountView();
      const note = byTestId(wrapper, 'tb-day-note');
      expect((note.element as HTMLTextAreaElement).value).toBe('Vaccinleverans väntas');
      expect(wrapper.get('label[for="tbd-note"]').text()).toBe('Dagens anteckning');
      expect(wrapper.get('label[for="tbd-web-closed"]').text()).toBe('Stäng webbokningen den här dagen');

      await note.setValue('Vaccinleverans efter lunch ');
      await byTestId(wrapper, 'tb-web-closed').setValue(true);
      await byTestId(wrapper, 'tb-day-save').trigger('click');
      await flushPromises();
      expect(save).toHaveBeenCalledWith(UNIT, DAY, {
        note: 'Vaccinleverans efter lunch',
        webBookingClosed: true,
      });
      expect(byTestId(wrapper, 'tb-day-saved').text()).toBe('Dagen är sparad.');
    });

    it('another day in the day picker loads that day', async () => {
      const days = vi.spyOn(timebookApi, 'days');
      const { wrapper, router } = await mountView();
      await byTestId(wrapper, 'next-day').trigger('click');
      await flushPromises();
      expect(router.currentRoute.value.query.date).toBe('2025-03-05');
      expect(days).toHaveBeenLastCalledWith(UNIT, '2025-03-05', '2025-03-05');
      expect(timebookApi.blocks).toHaveBeenLastCalledWith(UNIT, '2025-03-05');
    });
  });

  describe('visit types', () => {
    it('lists them with resource, length, weekdays and web booking in words', async () => {
      const { wrapper } = await mountView();
      const cells = (id: string) =>
        byTestId(wrapper, `vt-row-${id}`)
          .findAll('th, td')
          .map((c) => c.text());
      expect(cells('vt-wed').slice(0, 6)).toEqual([
        'Covid-19 dos 2, endast ons–fre',
        'Sjuksköterska',
        '10 min',
        '–',
        'ons–fre',
        'Ja',
      ]);
      expect(cells('vt-doc').slice(4, 6)).toEqual(['Alla dagar', 'Nej']);
    });

    it('one with future bookings cannot be deleted: it says how many and offers to retire it instead', async () => {
      vi.spyOn(visitTypesApi, 'remove').mockRejectedValue(
        new ApiError({
          statusCode: 409,
          error: 'Conflict',
          message: '3 future booking(s) use this visit type',
          futureBookings: 3,
        }),
      );
      const update = vi
        .spyOn(visitTypesApi, 'update')
        .mockResolvedValue({ ...visitTypes[0]!, retiredAt: '2025-03-03T07:00:00Z' } as never);
      const { wrapper } = await mountView();
      await byTestId(wrapper, 'vt-delete-vt-covid').trigger('click');
      await flushPromises();

      const panel = byTestId(wrapper, 'vt-in-use');
      expect(panel.text()).toContain(
        'Besökstypen har 3 framtida bokningar och kan inte tas bort. Byt namn eller avsluta den i stället.',
      );
      expect(panel.attributes('role')).toBe('alert');
      expect(byTestId(wrapper, 'vt-rename-vt-covid').text()).toBe('Byt namn');
      // still there: nothing was deleted
      expect(wrapper.find('[data-testid="vt-row-vt-covid"]').exists()).toBe(true);

      await byTestId(wrapper, 'vt-retire-vt-covid').trigger('click');
      await flushPromises();
      expect(update).toHaveBeenCalledWith('vt-covid', { retired: true });
      expect(wrapper.find('[data-testid="vt-row-vt-covid"]').exists()).toBe(false);
      expect(wrapper.find('[data-testid="vt-in-use"]').exists()).toBe(false);
      expect(byTestId(wrapper, 'vt-status').text()).toBe(
        'Covid-19 dos 1 är avslutad: den tar inte emot nya bokningar, och de bokningar den har ligger kvar.',
      );
    });

    it('…or to rename it', async () => {
      vi.spyOn(visitTypesApi, 'remove').mockRejectedValue(
        new ApiError({ statusCode: 409, error: 'Conflict', message: 'in use', futureBookings: 1 }),
      );
      const update = vi
        .spyOn(visitTypesApi, 'update')
        .mockResolvedValue({ ...visitTypes[0]!, name: 'Covid-19 dos 1 (höst)' });
      const { wrapper } = await mountView();
      await byTestId(wrapper, 'vt-delete-vt-covid').trigger('click');
      await flushPromises();
      expect(byTestId(wrapper, 'vt-in-use').text()).toContain(
        'Besökstypen har 1 framtida bokning och kan inte tas bort.',
      );
      await byTestId(wrapper, 'vt-rename-vt-covid').trigger('click');
      await flushPromises();

      const name = byTestId(wrapper, 'vt-edit-name');
      expect(document.activeElement).toBe(name.element);
      await name.setValue('Covid-19 dos 1 (höst)');
      await byTestId(wrapper, 'vt-edit-save').trigger('click');
      await flushPromises();
      expect(update).toHaveBeenCalledWith('vt-covid', { name: 'Covid-19 dos 1 (höst)' });
      expect(wrapper.find('[data-testid="vt-edit-dialog"]').exists()).toBe(false);
      expect(byTestId(wrapper, 'vt-row-vt-covid').text()).toContain('Covid-19 dos 1 (höst)');
      expect(byTestId(wrapper, 'vt-status').text()).toBe('Besökstypen Covid-19 dos 1 (höst) är sparad.');
    });

    it('one without future bookings is deleted, or retired by the server if it was used before', async () => {
      vi.spyOn(visitTypesApi, 'remove')
        .mockResolvedValueOnce({ id: 'vt-doc', deleted: true })
        .mockResolvedValueOnce({ id: 'vt-wed', deleted: false, retired: true });
      const { wrapper } = await mountView();
      await byTestId(wrapper, 'vt-delete-vt-doc').trigger('click');
      await flushPromises();
      expect(byTestId(wrapper, 'vt-status').text()).toBe('Besökstypen Läkarbedömning är borttagen.');
      await byTestId(wrapper, 'vt-delete-vt-wed').trigger('click');
      await flushPromises();
      expect(byTestId(wrapper, 'vt-status').text()).toContain(
        'Covid-19 dos 2, endast ons–fre har använts tidigare och avslutades i stället',
      );
      expect(wrapper.findAll('[data-testid^="vt-row-"]').map((r) => r.attributes('data-testid'))).toEqual([
        'vt-row-vt-covid',
      ]);
    });

    it('creates one, checking the form next to its fields first', async () => {
      const created = {
        id: 'vt-new',
        name: 'Covid-19 dos 2, Comirnaty, endast ons–fre',
        resource: 'SKOTERSKA' as const,
        durationMinutes: 10,
        productId: products[0]!.id,
        doseNumber: 2,
        allowedWeekdays: [3, 4, 5],
        webBookable: false,
      };
      const create = vi.spyOn(visitTypesApi, 'create').mockResolvedValue(created);
      const { wrapper } = await mountView();

      await byTestId(wrapper, 'vt-create').trigger('click');
      await flushPromises();
      expect(wrapper.get('#vtc-err-name').text()).toContain('Ange ett namn.');
      expect(document.activeElement).toBe(byTestId(wrapper, 'vt-name').element);

      await byTestId(wrapper, 'vt-name').setValue(created.name);
      await byTestId(wrapper, 'vt-dose').setValue('2');
      await byTestId(wrapper, 'vt-create').trigger('click');
      await flushPromises();
      expect(wrapper.get('#vtc-err-doseNumber').text()).toContain('Ett dosnummer kräver en produkt');
      expect(create).not.toHaveBeenCalled();

      await byTestId(wrapper, 'vt-product').setValue(products[0]!.id);
      expect(wrapper.find('#vtc-err-doseNumber').exists()).toBe(false);
      for (const d of [3, 4, 5]) await byTestId(wrapper, `vt-weekday-${d}`).setValue(true);
      await byTestId(wrapper, 'vt-web-bookable').setValue(false);
      await byTestId(wrapper, 'vt-create').trigger('click');
      await flushPromises();

      expect(create).toHaveBeenCalledWith(UNIT, {
        name: created.name,
        resource: 'SKOTERSKA',
        durationMinutes: 10,
        productId: products[0]!.id,
        doseNumber: 2,
        allowedWeekdays: [3, 4, 5],
        webBookable: false,
      });
      expect(byTestId(wrapper, 'vt-status').text()).toBe(`Besökstypen ${created.name} är skapad.`);
      expect(byTestId(wrapper, 'vt-row-vt-new').text()).toContain(`${products[0]!.name} · dos 2`);
      expect((byTestId(wrapper, 'vt-name').element as HTMLInputElement).value).toBe('');
    });

    it('the server’s rule goes next to the field it names', async () => {
      vi.spyOn(visitTypesApi, 'create').mockRejectedValue(
        new ApiError({ statusCode: 404, error: 'Not Found', message: 'no such product', field: 'productId' }),
      );
      const { wrapper } = await mountView();
      await byTestId(wrapper, 'vt-name').setValue('Influensa');
      await byTestId(wrapper, 'vt-product').setValue(products[0]!.id);
      await byTestId(wrapper, 'vt-create').trigger('click');
      await flushPromises();
      expect(wrapper.get('#vtc-err-productId').text()).toContain('no such product');
      expect(byTestId(wrapper, 'vt-product').attributes('aria-invalid')).toBe('true');
    });
  });
});

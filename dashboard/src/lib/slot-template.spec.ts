import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  daysInRange,
  defaultTemplate,
  previewTemplate,
  slotStarts,
  templateErrorAt,
  validateTemplate,
  type SlotTemplateForm,
} from './slot-template';

const TODAY = '2025-03-03'; // a Monday

/** Monday 10 March to Sunday 23 March: two whole weeks. */
function form(over: Partial<SlotTemplateForm> = {}): SlotTemplateForm {
  return { ...defaultTemplate(TODAY, 'SKOTERSKA', 3), from: '2025-03-10', to: '2025-03-23', ...over };
}

function withDay(f: SlotTemplateForm, day: 1 | 2 | 3 | 4 | 5 | 6 | 7, intervals: Array<[string, string]>) {
  f.weekdays[day] = { open: true, intervals: intervals.map(([start, end]) => ({ start, end })) };
  return f;
}

describe('weekly template: the defaults', () => {
  it('opens weekdays 08–12 and 13–16, from tomorrow for four weeks, with the resource’s time length', () => {
    const f = defaultTemplate(TODAY, 'SKOTERSKA', 3);
    expect(f).toMatchObject({
      resource: 'SKOTERSKA',
      from: '2025-03-04',
      to: '2025-03-31',
      slotMinutes: 10,
      columns: 3,
    });
    expect(f.weekdays[1]).toEqual({
      open: true,
      intervals: [
        { start: '08:00', end: '12:00' },
        { start: '13:00', end: '16:00' },
      ],
    });
    expect(f.weekdays[6]).toEqual({ open: false, intervals: [] });
    expect(f.weekdays[7]).toEqual({ open: false, intervals: [] });
    expect(defaultTemplate(TODAY, 'LAKARE').slotMinutes).toBe(20);
    // columns unknown: left for the user, never guessed
    expect(defaultTemplate(TODAY, 'LAKARE').columns).toBe('');
  });
});

describe('weekly template: the preview count', () => {
  it('counts each day from its intervals, times every column, over the period', () => {
    const p = previewTemplate(form())!;
    // 08–12 is 24 ten-minute times, 13–16 is 18: 42 per column, 126 with three columns
    expect(p.weekdays.map((w) => [w.weekday, w.perColumn, w.perDay, w.days, w.total])).toEqual([
      [1, 42, 126, 2, 252],
      [2, 42, 126, 2, 252],
      [3, 42, 126, 2, 252],
      [4, 42, 126, 2, 252],
      [5, 42, 126, 2, 252],
    ]);
    expect(p.total).toBe(1260);
    expect(p.dates).toHaveLength(14);
    expect(p.dates.find((d) => d.date === '2025-03-15')).toEqual({
      date: '2025-03-15',
      weekday: 6,
      slots: 0,
    });
  });

  it('a physician’s 20-minute times, one column', () => {
    const p = previewTemplate(form({ resource: 'LAKARE', slotMinutes: 20, columns: 1 }))!;
    expect(p.weekdays[0]).toMatchObject({ perDay: 21 }); // 12 + 9
    expect(p.total).toBe(21 * 10);
  });

  it('a time that does not fit entirely before the interval ends is not opened', () => {
    expect(slotStarts([{ start: '08:00', end: '12:05' }], 10)).toHaveLength(24);
    expect(slotStarts([{ start: '08:00', end: '08:25' }], 10)).toEqual([480, 490]);
    expect(slotStarts([{ start: '08:00', end: '08:05' }], 10)).toEqual([]);
  });

  it('a period starting mid-week counts only the days in it', () => {
    // Wednesday 12 to Monday 17 March: Wed, Thu, Fri, Mon
    const p = previewTemplate(form({ from: '2025-03-12', to: '2025-03-17', columns: 1 }))!;
    expect(p.weekdays.map((w) => [w.weekday, w.days])).toEqual([
      [1, 1],
      [3, 1],
      [4, 1],
      [5, 1],
    ]);
    expect(p.total).toBe(4 * 42);
  });

  it('is not shown while the period, the time length or the columns cannot be read', () => {
    expect(previewTemplate(form({ to: '2025-03-0' }))).toBeNull();
    expect(previewTemplate(form({ to: '2025-03-09' }))).toBeNull(); // before from
    expect(previewTemplate(form({ slotMinutes: '' }))).toBeNull();
    expect(previewTemplate(form({ slotMinutes: 2 }))).toBeNull();
    expect(previewTemplate(form({ columns: '' }))).toBeNull();
    expect(previewTemplate(form({ to: '2025-06-10' }))).toBeNull(); // 93 days
  });

  it('an interval still being typed counts as nothing; shared times count once', () => {
    const f = withDay(form({ columns: 1 }), 1, [
      ['08:00', '12:00'],
      ['1', ''],
    ]);
    expect(previewTemplate(f)!.weekdays[0]).toMatchObject({ weekday: 1, perDay: 24 });
    withDay(f, 1, [
      ['08:00', '12:00'],
      ['11:00', '12:00'],
    ]);
    expect(previewTemplate(f)!.weekdays[0]).toMatchObject({ weekday: 1, perDay: 24 });
  });
});

describe('weekly template: local times, whatever daylight saving time does', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  /** Every day of a fortnight open 08–16, one column, 10-minute times. */
  const everyDay = (from: string, to: string) => {
    const f = form({ from, to, columns: 1 });
    for (const d of [1, 2, 3, 4, 5, 6, 7] as const) withDay(f, d, [['08:00', '16:00']]);
    return f;
  };

  it('the days summer time starts and ends open as many times as any other day', () => {
    // Sunday 30 March 2025 has 23 hours in Sweden and Sunday 26 October 25: the wall clock decides
    for (const [from, to, dstDay] of [
      ['2025-03-24', '2025-04-06', '2025-03-30'],
      ['2025-10-20', '2025-11-02', '2025-10-26'],
    ] as const) {
      const p = previewTemplate(everyDay(from, to))!;
      expect(p.dates).toHaveLength(14);
      expect(new Set(p.dates.map((d) => d.slots))).toEqual(new Set([48]));
      expect(p.dates.find((d) => d.date === dstDay)).toEqual({ date: dstDay, weekday: 7, slots: 48 });
      expect(p.total).toBe(14 * 48);
    }
  });

  it('the browser’s time zone changes nothing', () => {
    const counts = () => {
      const p = previewTemplate(everyDay('2025-03-24', '2025-04-06'))!;
      return [p.total, p.dates.map((d) => `${d.date}:${d.weekday}:${d.slots}`).join(',')];
    };
    vi.stubEnv('TZ', 'Europe/Stockholm');
    const stockholm = counts();
    // the offset on 1 June 2025 proves each zone is in force
    for (const [tz, offset] of [
      ['UTC', 0],
      ['America/New_York', 240],
      ['Pacific/Kiritimati', -840],
      ['Pacific/Pago_Pago', 660],
    ] as const) {
      vi.stubEnv('TZ', tz);
      expect(new Date(Date.UTC(2025, 5, 1)).getTimezoneOffset()).toBe(offset);
      expect(counts()).toEqual(stockholm);
    }
  });

  it('counts calendar days: a period over a DST change is not a day short or long', () => {
    expect(daysInRange('2025-03-29', '2025-03-31')).toBe(3);
    expect(daysInRange('2025-10-25', '2025-10-27')).toBe(3);
    expect(daysInRange('2025-03-10', '2025-06-09')).toBe(92);
  });
});

describe('weekly template: what is sent', () => {
  it('every weekday, closed ones empty, intervals in time order and trimmed', () => {
    const f = withDay(form(), 6, [
      [' 13:00', '15:00 '],
      ['09:00', '12:00'],
    ]);
    const v = validateTemplate(f, TODAY);
    expect(v).toEqual({
      ok: true,
      body: {
        resource: 'SKOTERSKA',
        from: '2025-03-10',
        to: '2025-03-23',
        slotMinutes: 10,
        columns: 3,
        weekdays: {
          '1': [
            { start: '08:00', end: '12:00' },
            { start: '13:00', end: '16:00' },
          ],
          '2': [
            { start: '08:00', end: '12:00' },
            { start: '13:00', end: '16:00' },
          ],
          '3': [
            { start: '08:00', end: '12:00' },
            { start: '13:00', end: '16:00' },
          ],
          '4': [
            { start: '08:00', end: '12:00' },
            { start: '13:00', end: '16:00' },
          ],
          '5': [
            { start: '08:00', end: '12:00' },
            { start: '13:00', end: '16:00' },
          ],
          '6': [
            { start: '09:00', end: '12:00' },
            { start: '13:00', end: '15:00' },
          ],
          '7': [],
        },
      },
    });
  });

  it('a ticked-off day sends nothing, even with intervals left in the form', () => {
    const f = form();
    f.weekdays[5] = { open: false, intervals: [{ start: 'x', end: '' }] };
    const v = validateTemplate(f, TODAY);
    expect(v.ok && v.body.weekdays['5']).toEqual([]);
  });
});

describe('weekly template: the checks before sending', () => {
  const errorsOf = (f: SlotTemplateForm, today = TODAY) => {
    const v = validateTemplate(f, today);
    if (v.ok) throw new Error('expected errors');
    return v.errors;
  };

  it('the period: whole dates, not in the past, to after from, at most 92 days', () => {
    expect(errorsOf(form({ from: '' })).fields.from).toEqual({ key: 'dateFormat' });
    expect(errorsOf(form({ from: '2025-03-02', to: '2025-03-05' })).fields.from).toEqual({ key: 'fromPast' });
    expect(errorsOf(form({ to: '2025-03-09' })).fields.to).toEqual({ key: 'toBeforeFrom' });
    expect(errorsOf(form({ to: '2025-06-10' })).fields.to).toEqual({
      key: 'rangeTooLong',
      params: { max: 92, days: 93 },
    });
    expect(validateTemplate(form({ to: '2025-06-09' }), TODAY).ok).toBe(true); // exactly 92 days
    expect(validateTemplate(form({ from: TODAY, to: TODAY }), TODAY).ok).toBe(true);
  });

  it('time length and columns: whole numbers in range; unknown columns must be given', () => {
    expect(errorsOf(form({ slotMinutes: 7.5 })).fields.slotMinutes).toEqual({
      key: 'minutesWhole',
      params: { min: 5, max: 240 },
    });
    expect(errorsOf(form({ slotMinutes: 0 })).fields.slotMinutes?.key).toBe('minutesWhole');
    expect(errorsOf(form({ columns: '' })).fields.columns).toEqual({
      key: 'columnsUnknown',
      params: { max: 20 },
    });
    expect(errorsOf(form({ columns: 0 })).fields.columns).toEqual({
      key: 'columnsWhole',
      params: { max: 20 },
    });
    expect(errorsOf(form({ columns: 21 })).fields.columns?.key).toBe('columnsWhole');
  });

  it('each interval: HH:MM, end after start, at least one time long, not over another', () => {
    const f = form();
    withDay(f, 1, [['8', '12:00']]);
    withDay(f, 2, [['12:00', '08:00']]);
    withDay(f, 3, [['08:00', '08:05']]);
    withDay(f, 4, [
      ['08:00', '12:00'],
      ['11:30', '13:00'],
    ]);
    expect(errorsOf(f).intervals).toEqual({
      '1.0': { key: 'timeFormat', input: 'start' },
      '2.0': { key: 'endNotAfterStart', input: 'end' },
      '3.0': { key: 'shorterThanSlot', input: 'end', params: { minutes: 10 } },
      '4.1': { key: 'overlaps', input: 'both', params: { start: '08:00', end: '12:00' } },
    });
    // touching is not overlapping
    withDay(f, 1, [
      ['08:00', '12:00'],
      ['12:00', '13:00'],
    ]);
    expect(errorsOf(f).intervals['1.0']).toBeUndefined();
  });

  it('the week: at least one open day, each open day with an interval, and something to open', () => {
    const closed = form();
    for (const d of [1, 2, 3, 4, 5] as const) closed.weekdays[d] = { open: false, intervals: [] };
    expect(errorsOf(closed).fields.weekdays).toEqual({ key: 'noOpenDay' });

    const empty = form();
    empty.weekdays[2] = { open: true, intervals: [] };
    expect(errorsOf(empty).days).toEqual({ 2: { key: 'noInterval' } });

    // only Saturdays open, in a Monday-to-Friday period
    const saturday = withDay(form({ from: '2025-03-10', to: '2025-03-14' }), 6, [['09:00', '12:00']]);
    for (const d of [1, 2, 3, 4, 5] as const) saturday.weekdays[d] = { open: false, intervals: [] };
    expect(errorsOf(saturday).fields.general).toEqual({ key: 'nothingToOpen' });
  });
});

describe('weekly template: where the server’s 400 belongs', () => {
  it('names a field, a weekday or one interval', () => {
    expect(templateErrorAt('to')).toEqual({ kind: 'field', field: 'to' });
    expect(templateErrorAt('slotMinutes')).toEqual({ kind: 'field', field: 'slotMinutes' });
    expect(templateErrorAt('weekdays')).toEqual({ kind: 'field', field: 'weekdays' });
    expect(templateErrorAt('weekdays.3')).toEqual({ kind: 'day', weekday: 3 });
    expect(templateErrorAt('weekdays.1.0.end')).toEqual({ kind: 'interval', key: '1.0', input: 'end' });
    expect(templateErrorAt('weekdays.2.1')).toEqual({ kind: 'interval', key: '2.1', input: 'both' });
    expect(templateErrorAt('body')).toBeNull();
    expect(templateErrorAt(null)).toBeNull();
  });
});

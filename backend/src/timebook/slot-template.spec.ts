import { isoWeekday, planSlots } from './slot-template';

describe('weekly template (R10)', () => {
  const weekdays = { '1': [{ start: '08:00', end: '09:00' }], '3': [{ start: '13:00', end: '13:30' }] };

  it('opens slots per column within each interval, on the chosen weekdays only', () => {
    // 2026-11-23 is a Monday; 23–29 Nov: Monday 6 slots × 2 columns, Wednesday 3 × 2
    const slots = planSlots({ from: '2026-11-23', to: '2026-11-29', slotMinutes: 10, columns: 2, weekdays });
    expect(slots).toHaveLength(18);
    expect(slots.filter((s) => s.date === '2026-11-25')).toHaveLength(6);
    expect(slots[0]!.startsAt.toISOString()).toBe('2026-11-23T07:00:00.000Z'); // 08:00 CET
  });

  it('keeps local times across daylight saving time', () => {
    const slots = planSlots({
      from: '2026-03-27',
      to: '2026-03-30',
      slotMinutes: 60,
      columns: 1,
      weekdays: { '5': [{ start: '08:00', end: '09:00' }], '1': [{ start: '08:00', end: '09:00' }] },
    });
    expect(slots.map((s) => s.startsAt.toISOString())).toEqual([
      '2026-03-27T07:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
    ]);
  });

  it('never lets a slot run past its interval', () => {
    const slots = planSlots({
      from: '2026-11-23',
      to: '2026-11-23',
      slotMinutes: 20,
      columns: 1,
      weekdays: { '1': [{ start: '08:00', end: '08:50' }] },
    });
    expect(slots).toHaveLength(2);
  });

  it('knows ISO weekdays', () => {
    expect(isoWeekday('2026-11-22')).toBe(7);
    expect(isoWeekday('2026-11-23')).toBe(1);
  });
});

/** Shared test data: one unit, one Tuesday, a nurse and a physician column. */
import type { SlotView, TimebookChanged, TimebookSnapshot } from '@events';
import type { Session } from '../stores/auth';
import type { VisitType } from '../api/types';

export const UNIT = 'unit-1';
export const DATE = '2025-03-04'; // a Tuesday

export const session: Session = {
  accessToken: 'token-a',
  activeAssignmentId: 'as-1',
  assignments: [
    {
      id: 'as-1',
      role: 'BOOKING',
      unitId: UNIT,
      unitName: 'Vårdcentralen Centrum',
      careProviderId: 'cp',
      regionId: 'r',
    },
    {
      id: 'as-2',
      role: 'STOCK_MANAGER',
      unitId: UNIT,
      unitName: 'Vårdcentralen Centrum',
      careProviderId: 'cp',
      regionId: 'r',
    },
  ],
  user: { id: 'user-me', hsaId: 'SE2321000057-1001', name: 'Anna Bokare' },
};

export function slot(
  id: string,
  time: string,
  status: SlotView['status'],
  extra: Partial<SlotView> = {},
): SlotView {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const end = `${String(h).padStart(2, '0')}:${String(m + 10).padStart(2, '0')}`;
  return {
    id,
    start: `${DATE}T${time}:00+01:00`,
    end: `${DATE}T${end}:00+01:00`,
    resource: 'SKOTERSKA',
    column: 1,
    status,
    ...extra,
  };
}

export const slots: SlotView[] = [
  slot('s-free', '09:00', 'FREE'),
  slot('s-booked', '09:00', 'BOOKED', { column: 2, bookingId: 'bk-1' }),
  slot('s-held', '09:10', 'HELD', { heldUntil: '2099-01-01T00:00:00Z' }),
  slot('s-blocked', '09:10', 'BLOCKED', { column: 2, note: 'Personalmöte' }),
  slot('s-doc', '09:00', 'FREE', { resource: 'LAKARE' }),
];

export const snapshot: TimebookSnapshot = {
  unitId: UNIT,
  date: DATE,
  slots,
  days: [
    { date: DATE, opened: 5, booked: 1, held: 1, blocked: 1, free: 2 },
    { date: '2025-03-05', opened: 8, booked: 2, held: 0, blocked: 0, free: 6 },
  ],
};

export const visitTypes: VisitType[] = [
  { id: 'vt-covid', name: 'Covid-19 dos 1', resource: 'SKOTERSKA', webBookable: true, allowedWeekdays: [] },
  {
    id: 'vt-wed',
    name: 'Covid-19 dos 2, endast ons–fre',
    resource: 'SKOTERSKA',
    webBookable: true,
    allowedWeekdays: [3, 4, 5],
  },
  { id: 'vt-doc', name: 'Läkarbedömning', resource: 'LAKARE', webBookable: false, allowedWeekdays: [] },
];

export function booked(version: number, slotId: string, bookingId = 'bk-new'): TimebookChanged {
  return {
    topic: 'timebook',
    unitId: UNIT,
    version,
    cause: 'booking.created',
    at: `${DATE}T08:00:00Z`,
    changes: [
      {
        slotId,
        date: DATE,
        start: `${DATE}T09:00:00+01:00`,
        resource: 'SKOTERSKA',
        column: 1,
        from: 'FREE',
        to: 'BOOKED',
        bookingId,
      },
    ],
  };
}

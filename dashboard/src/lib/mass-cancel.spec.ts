import { describe, expect, it } from 'vitest';
import { DATE, slot } from '../test/fixtures';
import {
  charactersLeft,
  emptyMassCancelForm,
  MAX_MESSAGE,
  rangeOf,
  slotsToCancel,
  smsPreview,
  validateMassCancel,
  type MassCancelForm,
} from './mass-cancel';

const slots = [
  slot('b-0900', '09:00', 'BOOKED', { bookingId: 'bk-1', visitTypeId: 'vt-covid' }),
  slot('b-0910', '09:10', 'BOOKED', { bookingId: 'bk-2', visitTypeId: 'vt-flu' }),
  slot('b-1300', '13:00', 'BOOKED', { bookingId: 'bk-3', visitTypeId: 'vt-covid' }),
  slot('free', '09:20', 'FREE'),
  slot('held', '09:30', 'HELD', { heldUntil: '2099-01-01T00:00:00Z' }),
  slot('blocked', '09:40', 'BLOCKED'),
  // another day's booking never counts
  { ...slot('tomorrow', '09:00', 'BOOKED'), start: '2025-03-05T09:00:00+01:00' },
];

const form = (over: Partial<MassCancelForm> = {}): MassCancelForm => ({
  ...emptyMassCancelForm(),
  message: 'Leveransen är försenad.',
  ...over,
});
/** Early that morning, before any booking has started. */
const MORNING = Date.parse(`${DATE}T07:00:00+01:00`);
const ids = (over: Partial<MassCancelForm>, now = MORNING) =>
  slotsToCancel(slots, rangeOf(form(over), DATE), now).map((s) => s.id);
const ctx = (toCancel: number) => ({ date: DATE, today: DATE, toCancel });

describe('mass cancellation: what it hits', () => {
  it('the whole day: every active booking of the day, in time order, not held or free slots', () => {
    expect(ids({})).toEqual(['b-0900', 'b-0910', 'b-1300']);
  });

  it('from is inclusive, to exclusive, in Stockholm time (as the server counts)', () => {
    expect(ids({ from: '09:10' })).toEqual(['b-0910', 'b-1300']);
    expect(ids({ to: '13:00' })).toEqual(['b-0900', 'b-0910']);
    expect(ids({ from: '09:05', to: '13:01' })).toEqual(['b-0910', 'b-1300']);
  });

  it('one visit type only, when chosen', () => {
    expect(ids({ visitTypeId: 'vt-covid' })).toEqual(['b-0900', 'b-1300']);
    expect(ids({ visitTypeId: 'vt-covid', from: '12:00' })).toEqual(['b-1300']);
  });

  it('bookings that have already started are not cancelled, as on the server', () => {
    expect(ids({}, Date.parse(`${DATE}T09:05:00+01:00`))).toEqual(['b-0910', 'b-1300']);
  });

  it('a half-typed time does not narrow the range yet', () => {
    expect(ids({ from: '9:' })).toEqual(['b-0900', 'b-0910', 'b-1300']);
  });
});

describe('mass cancellation: the form', () => {
  it('sends only what was given, the message trimmed', () => {
    expect(validateMassCancel(form({ message: '  Leveransen är försenad.  ' }), ctx(3))).toEqual({
      ok: true,
      body: { date: DATE, message: 'Leveransen är försenad.', urgent: false },
    });
    expect(
      validateMassCancel(form({ from: '13:00', to: '16:30', visitTypeId: 'vt-covid', urgent: true }), ctx(1)),
    ).toEqual({
      ok: true,
      body: {
        date: DATE,
        from: '13:00',
        to: '16:30',
        visitTypeId: 'vt-covid',
        message: 'Leveransen är försenad.',
        urgent: true,
      },
    });
  });

  it('requires a message of at most 300 characters, counted as the server does', () => {
    expect(validateMassCancel(form({ message: '   ' }), ctx(3))).toEqual({
      ok: false,
      errors: { message: { key: 'messageRequired' } },
    });
    const long = 'x'.repeat(MAX_MESSAGE + 2);
    expect(validateMassCancel(form({ message: long }), ctx(3))).toEqual({
      ok: false,
      errors: { message: { key: 'messageTooLong', params: { max: 300, over: 2 } } },
    });
    // exactly 300, with spaces around that the server trims, is fine
    expect(validateMassCancel(form({ message: ` ${'x'.repeat(MAX_MESSAGE)} ` }), ctx(3)).ok).toBe(true);
    expect(charactersLeft('abc')).toBe(297);
    expect(charactersLeft('x'.repeat(301))).toBe(-1);
  });

  it('checks the times: HH:MM, and to after from', () => {
    expect(validateMassCancel(form({ from: '25:00' }), ctx(3))).toMatchObject({
      ok: false,
      errors: { from: { key: 'timeFormat' } },
    });
    expect(validateMassCancel(form({ from: '13:00', to: '13:00' }), ctx(3))).toMatchObject({
      ok: false,
      errors: { to: { key: 'toNotAfterFrom' } },
    });
    expect(validateMassCancel(form({ from: '13:00', to: '09:00' }), ctx(3)).ok).toBe(false);
  });

  it('a day that has passed cannot be cancelled', () => {
    expect(validateMassCancel(form(), { date: DATE, today: '2025-03-05', toCancel: 3 })).toEqual({
      ok: false,
      errors: { general: { key: 'datePassed' } },
    });
  });

  it('nothing to cancel in the range: says so instead of sending', () => {
    expect(validateMassCancel(form({ from: '15:00' }), ctx(0))).toEqual({
      ok: false,
      errors: { general: { key: 'nothingToCancel' } },
    });
  });
});

describe('mass cancellation: the SMS preview', () => {
  it('reads as the server writes it: time, unit, message, rebooking link', () => {
    expect(
      smsPreview({
        start: `${DATE}T09:00:00+01:00`,
        unitName: 'Vårdcentralen Centrum',
        message: ' Leveransen är försenad. ',
      }),
    ).toBe(
      'Din tid tis 4 mars 09:00 på Vårdcentralen Centrum är avbokad. Leveransen är försenad. Boka ny tid: <länk>',
    );
  });

  it('shows placeholders for what is not known yet', () => {
    expect(smsPreview({ unitName: 'VC', message: '' })).toBe(
      'Din tid <tid> på VC är avbokad. <meddelande> Boka ny tid: <länk>',
    );
  });
});

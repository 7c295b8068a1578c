import { describe, expect, it } from 'vitest';
import {
  blockFieldOf,
  emptyBlockForm,
  localTimeOf,
  MAX_BLOCK_NOTE,
  validateBlock,
  validateDayNote,
  type BlockForm,
} from './block-form';

const DATE = '2025-03-04';
const ctx = { date: DATE, today: DATE };
const form = (over: Partial<BlockForm> = {}): BlockForm => ({
  ...emptyBlockForm(),
  from: '12:00',
  to: '13:00',
  note: 'Personalmöte',
  ...over,
});

describe('a block with a note', () => {
  it('sends the day, the range and the trimmed note; every resource unless one is chosen', () => {
    expect(validateBlock(form({ note: '  Personalmöte ' }), ctx)).toEqual({
      ok: true,
      body: { date: DATE, from: '12:00', to: '13:00', note: 'Personalmöte' },
    });
    expect(validateBlock(form({ resource: 'LAKARE' }), ctx)).toEqual({
      ok: true,
      body: { date: DATE, from: '12:00', to: '13:00', resource: 'LAKARE', note: 'Personalmöte' },
    });
  });

  it('the note is required: the FAQ’s “name the block” is the point', () => {
    expect(validateBlock(form({ note: '   ' }), ctx)).toEqual({
      ok: false,
      errors: { note: { key: 'noteRequired' } },
    });
    expect(validateBlock(form({ note: 'x'.repeat(MAX_BLOCK_NOTE + 3) }), ctx)).toEqual({
      ok: false,
      errors: { note: { key: 'noteTooLong', params: { max: MAX_BLOCK_NOTE, over: 3 } } },
    });
  });

  it('both times as HH:MM, to after from', () => {
    expect(validateBlock(form({ from: '', to: '25:00' }), ctx)).toEqual({
      ok: false,
      errors: { from: { key: 'timeFormat' }, to: { key: 'timeFormat' } },
    });
    expect(validateBlock(form({ from: '13:00', to: '13:00' }), ctx)).toEqual({
      ok: false,
      errors: { to: { key: 'toNotAfterFrom' } },
    });
  });

  it('a day that has passed is not blocked', () => {
    expect(validateBlock(form(), { date: DATE, today: '2025-03-05' })).toEqual({
      ok: false,
      errors: { general: { key: 'datePassed' } },
    });
  });

  it('the server’s field names map onto the form', () => {
    expect(blockFieldOf('note')).toBe('note');
    expect(blockFieldOf('date')).toBeNull();
  });

  it('shows a block’s start and end as Stockholm time, sent as an instant or as HH:MM', () => {
    expect(localTimeOf('2025-03-04T12:00:00+01:00')).toBe('12:00');
    expect(localTimeOf('2025-07-01T10:00:00Z')).toBe('12:00'); // summer time
    expect(localTimeOf('12:30')).toBe('12:30');
  });
});

describe('the day note and web booking', () => {
  it('an emptied note is removed, not saved blank', () => {
    expect(validateDayNote({ note: '  ', webBookingClosed: true })).toEqual({
      ok: true,
      body: { note: null, webBookingClosed: true },
    });
    expect(validateDayNote({ note: ' Vaccinleverans väntas ', webBookingClosed: false })).toEqual({
      ok: true,
      body: { note: 'Vaccinleverans väntas', webBookingClosed: false },
    });
  });

  it('a note longer than 500 characters says by how much', () => {
    expect(validateDayNote({ note: 'x'.repeat(502), webBookingClosed: false })).toEqual({
      ok: false,
      error: { key: 'noteTooLong', params: { max: 500, over: 2 } },
    });
  });
});

/**
 * The block form and the day note (R16), pure. A block closes the free times of a range of one
 * day and says why; times already booked stay booked.
 */
import type { ResourceKind } from '@events';
import type { CreateBlockRequest, TimebookDayUpdate } from '../api/types';
import { isIsoDate, stockholmTime } from './dates';
import { minutesOf } from './slot-template';

export const MAX_BLOCK_NOTE = 200;
export const MAX_DAY_NOTE = 500;

export interface BlockForm {
  from: string;
  to: string;
  /** '' = every resource */
  resource: ResourceKind | '';
  note: string;
}

export type BlockField = 'from' | 'to' | 'resource' | 'note';

export type BlockErrorKey = 'datePassed' | 'timeFormat' | 'toNotAfterFrom' | 'noteRequired' | 'noteTooLong';

export interface BlockError {
  key: BlockErrorKey;
  params?: Record<string, number>;
}

export type BlockErrors = Partial<Record<BlockField | 'general', BlockError>>;

export function emptyBlockForm(): BlockForm {
  return { from: '', to: '', resource: '', note: '' };
}

export type BlockValidation = { ok: true; body: CreateBlockRequest } | { ok: false; errors: BlockErrors };

/** Checks the form for `date` (the day being administered); `today` is Stockholm's. */
export function validateBlock(form: BlockForm, ctx: { date: string; today: string }): BlockValidation {
  if (!isIsoDate(ctx.date) || ctx.date < ctx.today)
    return { ok: false, errors: { general: { key: 'datePassed' } } };
  const errors: BlockErrors = {};
  const from = minutesOf(form.from);
  const to = minutesOf(form.to);
  if (from === null) errors.from = { key: 'timeFormat' };
  if (to === null) errors.to = { key: 'timeFormat' };
  else if (from !== null && to <= from) errors.to = { key: 'toNotAfterFrom' };
  const note = form.note.trim();
  if (!note) errors.note = { key: 'noteRequired' };
  else if (note.length > MAX_BLOCK_NOTE)
    errors.note = { key: 'noteTooLong', params: { max: MAX_BLOCK_NOTE, over: note.length - MAX_BLOCK_NOTE } };
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    body: {
      date: ctx.date,
      from: form.from.trim(),
      to: form.to.trim(),
      ...(form.resource ? { resource: form.resource } : {}),
      note,
    },
  };
}

/** Which block field a 400's `field` names. */
export function blockFieldOf(field: unknown): BlockField | null {
  return field === 'from' || field === 'to' || field === 'resource' || field === 'note' ? field : null;
}

/** A block's start or end as local HH:MM, whether the server sent an instant or a local time. */
export function localTimeOf(value: string): string {
  return minutesOf(value) !== null ? value.trim() : stockholmTime(value);
}

export interface DayNoteForm {
  note: string;
  webBookingClosed: boolean;
}

export type DayNoteValidation =
  { ok: true; body: Required<TimebookDayUpdate> } | { ok: false; error: BlockError };

/** An emptied note is removed (null), not saved as blank. */
export function validateDayNote(form: DayNoteForm): DayNoteValidation {
  const note = form.note.trim();
  if (note.length > MAX_DAY_NOTE)
    return {
      ok: false,
      error: { key: 'noteTooLong', params: { max: MAX_DAY_NOTE, over: note.length - MAX_DAY_NOTE } },
    };
  return { ok: true, body: { note: note || null, webBookingClosed: form.webBookingClosed } };
}

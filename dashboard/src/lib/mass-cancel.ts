/**
 * The mass cancellation form's rules (R17), pure: which bookings the chosen range hits, what the
 * patients' SMS will say, and what the server will accept. The dialog only binds these.
 */
import type { SlotView } from '@events';
import type { MassCancellationRequest } from '../api/types';
import { stockholmDate, stockholmTime, TIME_ZONE } from './dates';

/** The server's limit for the message (one SMS text, trimmed). */
export const MAX_MESSAGE = 300;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export interface MassCancelForm {
  /** HH:MM or empty for the start of the day */
  from: string;
  /** HH:MM or empty for the end of the day */
  to: string;
  /** empty: every visit type */
  visitTypeId: string;
  message: string;
  urgent: boolean;
}

export type MassCancelField = 'from' | 'to' | 'visitTypeId' | 'message';

export type MassCancelErrorKey =
  'datePassed' | 'timeFormat' | 'toNotAfterFrom' | 'messageRequired' | 'messageTooLong' | 'nothingToCancel';

export interface MassCancelError {
  key: MassCancelErrorKey;
  params?: Record<string, number>;
}

export type MassCancelErrors = Partial<Record<MassCancelField | 'general', MassCancelError>>;

export function emptyMassCancelForm(): MassCancelForm {
  return { from: '', to: '', visitTypeId: '', message: '', urgent: false };
}

/** The range the server applies: slots starting at or after `from` and before `to`. */
export interface CancelRange {
  date: string;
  from?: string;
  to?: string;
  visitTypeId?: string;
}

/**
 * The active bookings the range hits, as the timebook shows them: BOOKED slots of the day that are
 * still to come (`now`, ms) and whose start (Stockholm time) is in [from, to), of the chosen visit
 * type if one is chosen: what the server counts. Held slots have no booking yet.
 */
export function slotsToCancel(slots: readonly SlotView[], range: CancelRange, now: number): SlotView[] {
  return slots
    .filter((s) => {
      if (s.status !== 'BOOKED' || stockholmDate(s.start) !== range.date) return false;
      if (Date.parse(s.start) <= now) return false;
      const at = stockholmTime(s.start);
      if (range.from && at < range.from) return false;
      if (range.to && at >= range.to) return false;
      return !range.visitTypeId || s.visitTypeId === range.visitTypeId;
    })
    .sort((a, b) => a.start.localeCompare(b.start));
}

export function rangeOf(form: MassCancelForm, date: string): CancelRange {
  const ok = (t: string) => (HHMM.test(t.trim()) ? t.trim() : undefined);
  return {
    date,
    from: ok(form.from),
    to: ok(form.to),
    visitTypeId: form.visitTypeId || undefined,
  };
}

/** Characters the message may still grow by (negative: too long). Counted as the server does: trimmed. */
export function charactersLeft(message: string): number {
  return MAX_MESSAGE - message.trim().length;
}

export type MassCancelValidation =
  { ok: true; body: MassCancellationRequest } | { ok: false; errors: MassCancelErrors };

/**
 * Checks the form before sending: `date` is the day shown, `today` Stockholm's, `toCancel` how many
 * bookings the range hits now.
 */
export function validateMassCancel(
  form: MassCancelForm,
  ctx: { date: string; today: string; toCancel: number },
): MassCancelValidation {
  const { date, toCancel } = ctx;
  if (date < ctx.today) return { ok: false, errors: { general: { key: 'datePassed' } } };
  const errors: MassCancelErrors = {};
  const from = form.from.trim();
  const to = form.to.trim();
  if (from && !HHMM.test(from)) errors.from = { key: 'timeFormat' };
  if (to && !HHMM.test(to)) errors.to = { key: 'timeFormat' };
  else if (from && to && HHMM.test(from) && to <= from) errors.to = { key: 'toNotAfterFrom' };

  const message = form.message.trim();
  if (!message) errors.message = { key: 'messageRequired' };
  else if (message.length > MAX_MESSAGE)
    errors.message = {
      key: 'messageTooLong',
      params: { max: MAX_MESSAGE, over: message.length - MAX_MESSAGE },
    };

  if (!errors.from && !errors.to && toCancel === 0) errors.general = { key: 'nothingToCancel' };
  if (Object.keys(errors).length) return { ok: false, errors };

  return {
    ok: true,
    body: {
      date,
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(form.visitTypeId ? { visitTypeId: form.visitTypeId } : {}),
      message,
      urgent: form.urgent,
    },
  };
}

/** The SMS's time as the server writes it (backend `cancellation-notice.ts`): "tis 4 mars 09:00". */
const SMS_WHEN = new Intl.DateTimeFormat('sv-SE', {
  timeZone: TIME_ZONE,
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

export const PREVIEW_PLACEHOLDER = { time: '<tid>', message: '<meddelande>', link: '<länk>' } as const;

/**
 * What a patient's SMS will say. Always Swedish, like the SMS itself, whatever the UI language;
 * the link is personal per booking, so the preview shows a placeholder for it.
 */
export function smsPreview(p: { start?: string; unitName: string; message: string }): string {
  const when = p.start ? SMS_WHEN.format(new Date(p.start)) : PREVIEW_PLACEHOLDER.time;
  const message = p.message.trim() || PREVIEW_PLACEHOLDER.message;
  return `Din tid ${when} på ${p.unitName} är avbokad. ${message} Boka ny tid: ${PREVIEW_PLACEHOLDER.link}`;
}

/**
 * The visit type forms (R11), pure: creating one, and changing its name, weekdays and web
 * booking. The rules are the server's, checked first here so the message sits next to the field.
 */
import type { ResourceKind } from '@events';
import type { CreateVisitTypeRequest, UpdateVisitTypeRequest, VisitType } from '../api/types';
import { DEFAULT_SLOT_MINUTES, wholeNumber } from './slot-template';
import { isIsoWeekday } from './weekdays';

export const NAME_MIN = 2;
export const NAME_MAX = 100;
export const DURATION_MIN = 5;
export const DURATION_MAX = 240;
export const DOSE_MAX = 10;

export interface VisitTypeForm {
  name: string;
  resource: ResourceKind;
  durationMinutes: number | string;
  /** '' = no product */
  productId: string;
  /** '' = no dose number */
  doseNumber: number | string;
  allowedWeekdays: number[];
  webBookable: boolean;
}

export type VisitTypeField =
  'name' | 'resource' | 'durationMinutes' | 'productId' | 'doseNumber' | 'allowedWeekdays' | 'webBookable';

export type VisitTypeErrorKey =
  'nameRequired' | 'nameTooShort' | 'nameTooLong' | 'durationWhole' | 'doseWhole' | 'doseNeedsProduct';

export interface VisitTypeError {
  key: VisitTypeErrorKey;
  params?: Record<string, number>;
}

export type VisitTypeErrors = Partial<Record<VisitTypeField | 'general', VisitTypeError>>;

export function emptyVisitTypeForm(resource: ResourceKind = 'SKOTERSKA'): VisitTypeForm {
  return {
    name: '',
    resource,
    durationMinutes: DEFAULT_SLOT_MINUTES[resource],
    productId: '',
    doseNumber: '',
    allowedWeekdays: [],
    webBookable: true,
  };
}

function checkName(raw: string): VisitTypeError | undefined {
  const name = raw.trim();
  if (!name) return { key: 'nameRequired' };
  if (name.length < NAME_MIN) return { key: 'nameTooShort', params: { min: NAME_MIN } };
  if (name.length > NAME_MAX) return { key: 'nameTooLong', params: { max: NAME_MAX } };
  return undefined;
}

function weekdaysOf(days: readonly number[]): number[] {
  return [...new Set(days.filter(isIsoWeekday))].sort((a, b) => a - b);
}

export type VisitTypeValidation =
  { ok: true; body: CreateVisitTypeRequest } | { ok: false; errors: VisitTypeErrors };

export function validateVisitType(form: VisitTypeForm): VisitTypeValidation {
  const errors: VisitTypeErrors = {};
  const nameError = checkName(form.name);
  if (nameError) errors.name = nameError;
  const duration = wholeNumber(form.durationMinutes);
  if (duration === null || duration < DURATION_MIN || duration > DURATION_MAX)
    errors.durationMinutes = { key: 'durationWhole', params: { min: DURATION_MIN, max: DURATION_MAX } };
  const doseGiven = !(typeof form.doseNumber === 'string' && form.doseNumber.trim() === '');
  const dose = doseGiven ? wholeNumber(form.doseNumber) : null;
  if (doseGiven && (dose === null || dose < 1 || dose > DOSE_MAX))
    errors.doseNumber = { key: 'doseWhole', params: { max: DOSE_MAX } };
  else if (doseGiven && !form.productId) errors.doseNumber = { key: 'doseNeedsProduct' };
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    body: {
      name: form.name.trim(),
      resource: form.resource,
      durationMinutes: duration!,
      ...(form.productId ? { productId: form.productId } : {}),
      ...(dose !== null ? { doseNumber: dose } : {}),
      allowedWeekdays: weekdaysOf(form.allowedWeekdays),
      webBookable: form.webBookable,
    },
  };
}

/** The edit form: what can change after a visit type is in use. */
export interface VisitTypeEditForm {
  name: string;
  allowedWeekdays: number[];
  webBookable: boolean;
}

export function editFormOf(vt: VisitType): VisitTypeEditForm {
  return {
    name: vt.name,
    allowedWeekdays: weekdaysOf(vt.allowedWeekdays ?? []),
    webBookable: vt.webBookable,
  };
}

export type VisitTypeEditValidation =
  { ok: true; body: UpdateVisitTypeRequest | null } | { ok: false; errors: VisitTypeErrors };

/** Only what changed is sent; nothing changed is `body: null` (nothing to send). */
export function validateVisitTypeEdit(vt: VisitType, form: VisitTypeEditForm): VisitTypeEditValidation {
  const nameError = checkName(form.name);
  if (nameError) return { ok: false, errors: { name: nameError } };
  const body: UpdateVisitTypeRequest = {};
  const name = form.name.trim();
  if (name !== vt.name) body.name = name;
  const days = weekdaysOf(form.allowedWeekdays);
  const before = weekdaysOf(vt.allowedWeekdays ?? []);
  if (days.join(',') !== before.join(',')) body.allowedWeekdays = days;
  if (form.webBookable !== vt.webBookable) body.webBookable = form.webBookable;
  return { ok: true, body: Object.keys(body).length ? body : null };
}

/** Which field a 400/404/422's `field` names. */
export function visitTypeFieldOf(field: unknown): VisitTypeField | null {
  switch (field) {
    case 'name':
    case 'resource':
    case 'durationMinutes':
    case 'productId':
    case 'doseNumber':
    case 'allowedWeekdays':
    case 'webBookable':
      return field;
  }
  return typeof field === 'string' && field.startsWith('allowedWeekdays') ? 'allowedWeekdays' : null;
}

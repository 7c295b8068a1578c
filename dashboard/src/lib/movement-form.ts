/**
 * The movement form's rules, as functions of data: what the user typed → either the request
 * body or the errors to show. The component only binds inputs and shows the result.
 */
import type { BatchBalance, WastageReason } from '@stock-api';
import type { MovementRequest } from '../api/stock';
import type { Product } from '../api/types';
import type { MovementField } from '../stores/stock';
import { isIsoDate } from './dates';

/** What a stock manager registers by hand. TRANSFER_IN is the server's side of a transfer. */
export type FormKind = 'RECEIPT' | 'WASTAGE' | 'COUNT' | 'TRANSFER_OUT';
export const FORM_KINDS: readonly FormKind[] = ['RECEIPT', 'WASTAGE', 'COUNT', 'TRANSFER_OUT'];

export type AmountUnit = 'doses' | 'vials';

export interface MovementFormValues {
  kind: FormKind;
  /** RECEIPT only: into a batch the unit has, or a batch new to it. */
  batchSource: 'existing' | 'new';
  batchId: string;
  newProductId: string;
  newBatchNumber: string;
  newExpiresOn: string;
  amountUnit: AmountUnit;
  /** As typed: "12", " 1 200 " */
  amount: string;
  reason: WastageReason | '';
  note: string;
  toUnitId: string;
}

export function emptyForm(kind: FormKind = 'RECEIPT'): MovementFormValues {
  return {
    kind,
    batchSource: 'existing',
    batchId: '',
    newProductId: '',
    newBatchNumber: '',
    newExpiresOn: '',
    amountUnit: 'doses',
    amount: '',
    reason: '',
    note: '',
    toUnitId: '',
  };
}

export interface FormContext {
  /** The unit's batches as shown now. */
  batches: readonly BatchBalance[];
  products: readonly Product[];
  /** The rowVersion of the chosen batch when the user chose it: a change since is a 409. */
  baseRowVersion: number | null;
  ownUnitId: string;
  today: string;
}

/** An i18n key under `stock.form.error` and its parameters. */
export interface FieldError {
  key: string;
  params?: Record<string, string | number>;
}
export type FormErrors = Partial<Record<MovementField, FieldError>>;

export type Validation = { ok: true; body: MovementRequest } | { ok: false; errors: FormErrors };

export const MAX_NOTE = 500;
export const MAX_BATCH_NUMBER = 40;
const MAX_AMOUNT = 1_000_000;

/** A whole number as people type it ("1 200", "12"); null for anything else. */
export function parseAmount(raw: string): number | null {
  const s = raw.replace(/[\s\u00a0]/g, '');
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

export function isNewBatch(v: MovementFormValues): boolean {
  return v.kind === 'RECEIPT' && v.batchSource === 'new';
}

/** Doses per vial of what the form is about (the batch, or the new batch's product). */
export function dosesPerVialOf(
  v: MovementFormValues,
  ctx: Pick<FormContext, 'batches' | 'products'>,
): number {
  const n = isNewBatch(v)
    ? ctx.products.find((p) => p.id === v.newProductId)?.dosesPerVial
    : ctx.batches.find((b) => b.batchId === v.batchId)?.dosesPerVial;
  return n && n > 0 ? n : 1;
}

/** The typed amount in doses, or null when it is not a whole number. */
export function amountInDoses(v: MovementFormValues, dosesPerVial: number): number | null {
  const n = parseAmount(v.amount);
  if (n === null) return null;
  return v.amountUnit === 'vials' ? n * dosesPerVial : n;
}

export function validateMovement(v: MovementFormValues, ctx: FormContext): Validation {
  const errors: FormErrors = {};
  const body: MovementRequest = { kind: v.kind };
  const newBatch = isNewBatch(v);
  const batch = newBatch ? undefined : ctx.batches.find((b) => b.batchId === v.batchId);

  if (newBatch) {
    const product = ctx.products.find((p) => p.id === v.newProductId);
    const batchNumber = v.newBatchNumber.trim();
    if (!product) errors.newProductId = { key: 'productRequired' };
    if (!batchNumber) errors.newBatchNumber = { key: 'batchNumberRequired' };
    else if (batchNumber.length > MAX_BATCH_NUMBER)
      errors.newBatchNumber = { key: 'batchNumberTooLong', params: { max: MAX_BATCH_NUMBER } };
    else if (
      product &&
      ctx.batches.some(
        (b) => b.productId === product.id && b.batchNumber.toLowerCase() === batchNumber.toLowerCase(),
      )
    )
      errors.newBatchNumber = { key: 'batchExists' };
    if (!isIsoDate(v.newExpiresOn)) errors.newExpiresOn = { key: 'expiresRequired' };
    else if (v.newExpiresOn < ctx.today) errors.newExpiresOn = { key: 'expiresPast' };
    if (product && batchNumber && isIsoDate(v.newExpiresOn))
      body.newBatch = { productId: product.id, batchNumber, expiresOn: v.newExpiresOn };
  } else if (!batch) {
    errors.batchId = { key: 'batchRequired' };
  } else {
    body.batchId = batch.batchId;
    body.expectedRowVersion = ctx.baseRowVersion ?? batch.rowVersion;
  }

  const perVial = dosesPerVialOf(v, ctx);
  const amount = parseAmount(v.amount);
  const doses = amountInDoses(v, perVial);
  const zeroAllowed = v.kind === 'COUNT';
  if (v.amount.trim() === '') {
    errors.amount = { key: v.kind === 'COUNT' ? 'countRequired' : 'amountRequired' };
  } else if (amount === null || (!zeroAllowed && amount === 0)) {
    errors.amount = { key: zeroAllowed ? 'countWhole' : 'amountWhole' };
  } else if (doses !== null && doses > MAX_AMOUNT) {
    errors.amount = { key: 'amountTooLarge' };
  } else if (
    batch &&
    doses !== null &&
    (v.kind === 'WASTAGE' || v.kind === 'TRANSFER_OUT') &&
    doses > batch.doses
  ) {
    errors.amount = { key: 'notEnough', params: { doses: batch.doses } };
  } else {
    if (v.amountUnit === 'vials') body.vials = amount;
    else body.doses = amount;
  }

  const note = v.note.trim();
  if (note.length > MAX_NOTE) errors.note = { key: 'noteTooLong', params: { max: MAX_NOTE } };

  if (v.kind === 'WASTAGE') {
    if (!v.reason) errors.reason = { key: 'reasonRequired' };
    else body.reason = v.reason;
    if (v.reason === 'OTHER' && !note) errors.note = { key: 'noteRequiredForOther' };
  }
  if (v.kind === 'COUNT' && v.reason && batch && doses !== null && doses !== batch.doses) {
    // A reason only explains a difference; without one it is an unexplained loss (R27).
    body.reason = v.reason;
  }
  if (v.kind === 'TRANSFER_OUT') {
    if (!v.toUnitId) errors.toUnitId = { key: 'toUnitRequired' };
    else if (v.toUnitId === ctx.ownUnitId) errors.toUnitId = { key: 'toUnitSelf' };
    else body.toUnitId = v.toUnitId;
  }
  if (note && !errors.note) body.note = note;

  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, body };
}

/**
 * The balance after the movement, applied to `currentDoses`: what a re-apply after a 409 would
 * leave. COUNT replaces the balance; null when it cannot be told (no amount).
 */
export function balanceAfter(
  body: MovementRequest,
  currentDoses: number,
  dosesPerVial: number,
): number | null {
  const doses = body.doses ?? (body.vials !== undefined ? body.vials * dosesPerVial : null);
  if (doses === null) return null;
  switch (body.kind) {
    case 'RECEIPT':
    case 'TRANSFER_IN':
      return currentDoses + doses;
    case 'WASTAGE':
    case 'TRANSFER_OUT':
      return currentDoses - doses;
    case 'COUNT':
      return doses;
  }
}

/** The doses a body moves (or counts), vials converted. */
export function dosesOf(body: MovementRequest, dosesPerVial: number): number | null {
  return body.doses ?? (body.vials !== undefined ? body.vials * dosesPerVial : null);
}

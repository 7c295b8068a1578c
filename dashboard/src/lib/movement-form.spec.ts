import { describe, expect, it } from 'vitest';
import { batch, products } from '../test/stock-fixtures';
import {
  balanceAfter,
  emptyForm,
  parseAmount,
  validateMovement,
  type FormContext,
  type MovementFormValues,
} from './movement-form';

const batches = [
  batch('b-1', { doses: 60, rowVersion: 3 }),
  batch('b-flu', { productId: 'p-flu', dosesPerVial: 1 }),
];
const ctx: FormContext = { batches, products, baseRowVersion: 3, ownUnitId: 'unit-1', today: '2025-03-04' };

function form(over: Partial<MovementFormValues>): MovementFormValues {
  return { ...emptyForm(), ...over };
}

function errorsOf(v: MovementFormValues, c: FormContext = ctx) {
  const r = validateMovement(v, c);
  return r.ok ? {} : Object.fromEntries(Object.entries(r.errors).map(([k, e]) => [k, e!.key]));
}

describe('movement form validation', () => {
  it('a delivery into an existing batch sends doses and the rowVersion the user saw', () => {
    expect(validateMovement(form({ kind: 'RECEIPT', batchId: 'b-1', amount: '120' }), ctx)).toEqual({
      ok: true,
      body: { kind: 'RECEIPT', batchId: 'b-1', doses: 120, expectedRowVersion: 3 },
    });
  });

  it('the rowVersion is the one from when the batch was chosen, not the live one', () => {
    const r = validateMovement(form({ kind: 'COUNT', batchId: 'b-1', amount: '58' }), {
      ...ctx,
      baseRowVersion: 2,
    });
    expect(r.ok && r.body.expectedRowVersion).toBe(2);
  });

  it('amounts in vials go as vials, never together with doses', () => {
    const r = validateMovement(
      form({ kind: 'RECEIPT', batchId: 'b-1', amount: '10', amountUnit: 'vials' }),
      ctx,
    );
    expect(r).toEqual({
      ok: true,
      body: { kind: 'RECEIPT', batchId: 'b-1', vials: 10, expectedRowVersion: 3 },
    });
  });

  it('a new batch needs product, batch number and a future expiry date', () => {
    expect(errorsOf(form({ kind: 'RECEIPT', batchSource: 'new', amount: '5' }))).toEqual({
      newProductId: 'productRequired',
      newBatchNumber: 'batchNumberRequired',
      newExpiresOn: 'expiresRequired',
    });
    expect(
      errorsOf(
        form({
          kind: 'RECEIPT',
          batchSource: 'new',
          newProductId: 'p-comirnaty',
          newBatchNumber: 'NEW1',
          newExpiresOn: '2025-03-03',
          amount: '5',
        }),
      ),
    ).toEqual({ newExpiresOn: 'expiresPast' });
    expect(
      validateMovement(
        form({
          kind: 'RECEIPT',
          batchSource: 'new',
          newProductId: 'p-comirnaty',
          newBatchNumber: ' NEW1 ',
          newExpiresOn: '2025-09-30',
          amount: '1 200',
        }),
        ctx,
      ),
    ).toEqual({
      ok: true,
      body: {
        kind: 'RECEIPT',
        newBatch: { productId: 'p-comirnaty', batchNumber: 'NEW1', expiresOn: '2025-09-30' },
        doses: 1200,
      },
    });
  });

  it('a "new" batch the unit already has is pointed out', () => {
    expect(
      errorsOf(
        form({
          kind: 'RECEIPT',
          batchSource: 'new',
          newProductId: 'p-comirnaty',
          newBatchNumber: 'fn-b-1',
          newExpiresOn: '2025-09-30',
          amount: '5',
        }),
      ),
    ).toEqual({ newBatchNumber: 'batchExists' });
  });

  it('doses must be a positive whole number', () => {
    for (const amount of ['0', '-3', '2.5', '1,5', 'tolv']) {
      expect(errorsOf(form({ kind: 'WASTAGE', batchId: 'b-1', reason: 'BROKEN', amount }))).toEqual({
        amount: 'amountWhole',
      });
    }
    expect(errorsOf(form({ kind: 'WASTAGE', batchId: 'b-1', reason: 'BROKEN', amount: ' ' }))).toEqual({
      amount: 'amountRequired',
    });
  });

  it('a count may be 0, and is the counted balance', () => {
    expect(validateMovement(form({ kind: 'COUNT', batchId: 'b-1', amount: '0' }), ctx)).toEqual({
      ok: true,
      body: { kind: 'COUNT', batchId: 'b-1', doses: 0, expectedRowVersion: 3 },
    });
  });

  it('a count sends the discrepancy reason only when there is a difference', () => {
    const same = validateMovement(
      form({ kind: 'COUNT', batchId: 'b-1', amount: '60', reason: 'BROKEN' }),
      ctx,
    );
    expect(same.ok && same.body.reason).toBeUndefined();
    const less = validateMovement(
      form({ kind: 'COUNT', batchId: 'b-1', amount: '57', reason: 'BROKEN', note: ' tappade en flaska ' }),
      ctx,
    );
    expect(less.ok && less.body).toMatchObject({ reason: 'BROKEN', note: 'tappade en flaska' });
  });

  it('wastage needs a reason, and a note when the reason is Other', () => {
    expect(errorsOf(form({ kind: 'WASTAGE', batchId: 'b-1', amount: '2' }))).toEqual({
      reason: 'reasonRequired',
    });
    expect(errorsOf(form({ kind: 'WASTAGE', batchId: 'b-1', amount: '2', reason: 'OTHER' }))).toEqual({
      note: 'noteRequiredForOther',
    });
    expect(
      validateMovement(form({ kind: 'WASTAGE', batchId: 'b-1', amount: '2', reason: 'COLD_CHAIN' }), ctx),
    ).toEqual({
      ok: true,
      body: { kind: 'WASTAGE', batchId: 'b-1', doses: 2, reason: 'COLD_CHAIN', expectedRowVersion: 3 },
    });
  });

  it('cannot waste or transfer more than the batch has (vials counted as doses)', () => {
    const r = validateMovement(
      form({ kind: 'WASTAGE', batchId: 'b-1', amount: '11', amountUnit: 'vials', reason: 'BROKEN' }),
      ctx,
    );
    expect(r).toEqual({ ok: false, errors: { amount: { key: 'notEnough', params: { doses: 60 } } } });
  });

  it('a transfer needs another unit', () => {
    expect(errorsOf(form({ kind: 'TRANSFER_OUT', batchId: 'b-1', amount: '6' }))).toEqual({
      toUnitId: 'toUnitRequired',
    });
    expect(errorsOf(form({ kind: 'TRANSFER_OUT', batchId: 'b-1', amount: '6', toUnitId: 'unit-1' }))).toEqual(
      {
        toUnitId: 'toUnitSelf',
      },
    );
    expect(
      validateMovement(form({ kind: 'TRANSFER_OUT', batchId: 'b-1', amount: '6', toUnitId: 'unit-2' }), ctx),
    ).toMatchObject({ ok: true, body: { toUnitId: 'unit-2', doses: 6 } });
  });

  it('a batch must be chosen, and notes are bounded', () => {
    expect(errorsOf(form({ kind: 'WASTAGE', amount: '1', reason: 'BROKEN', note: 'x'.repeat(501) }))).toEqual(
      {
        batchId: 'batchRequired',
        note: 'noteTooLong',
      },
    );
  });

  it('parses amounts as people type them', () => {
    expect(parseAmount(' 1 200 ')).toBe(1200);
    expect(parseAmount('1\u00a0200')).toBe(1200);
    expect(parseAmount('12.0')).toBeNull();
    expect(parseAmount('')).toBeNull();
  });

  it('tells what a re-apply leaves, per kind', () => {
    expect(balanceAfter({ kind: 'WASTAGE', doses: 5 }, 40, 6)).toBe(35);
    expect(balanceAfter({ kind: 'RECEIPT', vials: 2 }, 40, 6)).toBe(52);
    expect(balanceAfter({ kind: 'COUNT', doses: 38 }, 40, 6)).toBe(38);
    expect(balanceAfter({ kind: 'TRANSFER_OUT', doses: 50 }, 40, 6)).toBe(-10);
  });
});

import type { ResourceKind } from '@events';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { ApiError, NetworkError, type ApiErrorBody } from '../api/http';
import { productsApi } from '../api/products';
import { timebookApi } from '../api/timebook';
import type {
  CreateBlockRequest,
  CreatedBlock,
  CreateVisitTypeRequest,
  OpenSlotsRequest,
  OpenSlotsResult,
  Product,
  TimebookBlock,
  TimebookDay,
  TimebookDayUpdate,
  UpdateVisitTypeRequest,
  VisitType,
} from '../api/types';
import { unitsApi } from '../api/units';
import { futureBookingsOf, isVisitTypeInUse, visitTypesApi } from '../api/visitTypes';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What an error answer means for the form that asked. */
export type AdminFailure =
  | { kind: 'invalid'; field: string | null; message: string }
  | { kind: 'forbidden'; message: string | null }
  | { kind: 'conflict'; message: string | null; body: ApiErrorBody }
  | { kind: 'failed'; message: string | null };

export type AdminOutcome<T> = { kind: 'ok'; value: T } | AdminFailure;

export type DeleteVisitTypeOutcome =
  | { kind: 'deleted' }
  /** Past bookings used it: the server retired it instead (R12). */
  | { kind: 'retired' }
  /** Future bookings use it: rename or retire it instead (R12). */
  | { kind: 'inUse'; futureBookings: number | null; message: string | null }
  | AdminFailure;

/** What is being sent, so a form can disable its button: 'openSlots', 'block', 'day', 'visitType', 'vt:<id>', 'block:<id>'. */
export type PendingKey = string;

const byName = new Intl.Collator('sv-SE', { sensitivity: 'base', numeric: true });

/**
 * The timebook administration of one unit (R10–R16): its resources' columns, the day being
 * administered (blocks, note, web booking) and its visit types. Outcomes belong to the form that
 * asked and are returned; what everyone sees in the timebook moves through the live events.
 */
export const useTimebookAdminStore = defineStore('timebookAdmin', () => {
  const unitId = ref<string | null>(null);

  /** Current columns per resource; absent when unknown (the form then asks for them). */
  const columns = ref<Partial<Record<ResourceKind, number>>>({});
  const resourcesStatus = ref<LoadStatus>('idle');

  const visitTypes = ref<VisitType[]>([]);
  const visitTypesStatus = ref<LoadStatus>('idle');
  const products = ref<Product[]>([]);
  const productsStatus = ref<LoadStatus>('idle');

  const date = ref<string | null>(null);
  const blocks = ref<TimebookBlock[]>([]);
  const blocksStatus = ref<LoadStatus>('idle');
  const day = ref<TimebookDay | null>(null);
  const dayStatus = ref<LoadStatus>('idle');

  const pending = ref<Record<PendingKey, true>>({});

  /** Another unit: forget everything about the previous one. */
  function begin(forUnit: string): void {
    if (unitId.value === forUnit) return;
    $reset();
    unitId.value = forUnit;
  }

  function isPending(key: PendingKey): boolean {
    return pending.value[key] === true;
  }

  async function run<T>(key: PendingKey, fn: () => Promise<T>): Promise<AdminOutcome<T>> {
    if (isPending(key)) return { kind: 'failed', message: null };
    pending.value = { ...pending.value, [key]: true };
    try {
      return { kind: 'ok', value: await fn() };
    } catch (e) {
      return adminFailure(e);
    } finally {
      const { [key]: _done, ...rest } = pending.value;
      pending.value = rest;
    }
  }

  /** Runs a load for the current unit; its answer is dropped if the unit changed meanwhile. */
  async function load<T>(
    status: { value: LoadStatus },
    fetch: (unit: string) => Promise<T>,
    apply: (v: T) => void,
  ) {
    const unit = unitId.value;
    if (!unit) return;
    status.value = 'loading';
    try {
      const value = await fetch(unit);
      if (unitId.value !== unit) return;
      apply(value);
      status.value = 'ready';
    } catch {
      if (unitId.value === unit) status.value = 'error';
    }
  }

  function loadResources(): Promise<void> {
    return load(resourcesStatus, timebookApi.resources, (list) => {
      const next: Partial<Record<ResourceKind, number>> = {};
      for (const r of list) if (Number.isInteger(r.columns) && r.columns > 0) next[r.resource] = r.columns;
      columns.value = next;
    });
  }

  function loadVisitTypes(): Promise<void> {
    return load(visitTypesStatus, unitsApi.visitTypes, (list) => (visitTypes.value = sortVisitTypes(list)));
  }

  function loadProducts(): Promise<void> {
    if (productsStatus.value === 'ready') return Promise.resolve();
    return load(
      productsStatus,
      () => productsApi.list(),
      (list) => (products.value = list),
    );
  }

  /** The day being administered: its blocks, note and web booking. */
  async function loadDay(forDate: string): Promise<void> {
    if (date.value !== forDate) {
      blocks.value = [];
      day.value = null;
    }
    date.value = forDate;
    const mine = () => date.value === forDate;
    await Promise.all([
      load(
        blocksStatus,
        (unit) => timebookApi.blocks(unit, forDate),
        (list) => {
          if (mine()) blocks.value = sortBlocks(list);
        },
      ),
      load(
        dayStatus,
        (unit) => timebookApi.days(unit, forDate, forDate),
        (list) => {
          if (mine()) day.value = list.find((d) => d.date === forDate) ?? emptyDay(forDate);
        },
      ),
    ]);
  }

  async function reloadBlocks(): Promise<void> {
    const forDate = date.value;
    if (!forDate) return;
    await load(
      blocksStatus,
      (unit) => timebookApi.blocks(unit, forDate),
      (list) => {
        if (date.value === forDate) blocks.value = sortBlocks(list);
      },
    );
  }

  function openSlots(body: OpenSlotsRequest): Promise<AdminOutcome<OpenSlotsResult>> {
    const unit = unitId.value;
    if (!unit) return Promise.resolve({ kind: 'failed', message: null });
    return run('openSlots', () => timebookApi.openSlots(unit, body));
  }

  async function createBlock(body: CreateBlockRequest): Promise<AdminOutcome<CreatedBlock>> {
    const unit = unitId.value;
    if (!unit) return { kind: 'failed', message: null };
    const outcome = await run('block', () => timebookApi.createBlock(unit, body));
    if (outcome.kind === 'ok' && body.date === date.value) await reloadBlocks();
    return outcome;
  }

  async function removeBlock(blockId: string): Promise<AdminOutcome<unknown>> {
    const outcome = await run(`block:${blockId}`, () => timebookApi.removeBlock(blockId));
    if (outcome.kind === 'ok') blocks.value = blocks.value.filter((b) => b.id !== blockId);
    return outcome;
  }

  async function saveDay(forDate: string, body: TimebookDayUpdate): Promise<AdminOutcome<TimebookDay>> {
    const unit = unitId.value;
    if (!unit) return { kind: 'failed', message: null };
    const outcome = await run('day', () => timebookApi.saveDay(unit, forDate, body));
    if (outcome.kind === 'ok' && date.value === forDate) day.value = outcome.value;
    return outcome;
  }

  async function createVisitType(body: CreateVisitTypeRequest): Promise<AdminOutcome<VisitType>> {
    const unit = unitId.value;
    if (!unit) return { kind: 'failed', message: null };
    const outcome = await run('visitType', () => visitTypesApi.create(unit, body));
    if (outcome.kind === 'ok' && unitId.value === unit) {
      visitTypes.value = sortVisitTypes([
        ...visitTypes.value.filter((v) => v.id !== outcome.value.id),
        outcome.value,
      ]);
    }
    return outcome;
  }

  async function updateVisitType(id: string, body: UpdateVisitTypeRequest): Promise<AdminOutcome<VisitType>> {
    const outcome = await run(`vt:${id}`, () => visitTypesApi.update(id, body));
    if (outcome.kind === 'ok') {
      const updated = outcome.value;
      // A retired type takes no new bookings and leaves the unit's list (as the server lists it).
      const retired = body.retired === true || isRetired(updated);
      visitTypes.value = sortVisitTypes(
        retired
          ? visitTypes.value.filter((v) => v.id !== id)
          : visitTypes.value.map((v) => (v.id === id ? { ...v, ...updated } : v)),
      );
    }
    return outcome;
  }

  async function deleteVisitType(id: string): Promise<DeleteVisitTypeOutcome> {
    const outcome = await run(`vt:${id}`, () => visitTypesApi.remove(id));
    if (outcome.kind === 'ok') {
      visitTypes.value = visitTypes.value.filter((v) => v.id !== id);
      return outcome.value.deleted ? { kind: 'deleted' } : { kind: 'retired' };
    }
    if (outcome.kind === 'conflict') {
      const e = new ApiError(outcome.body);
      if (isVisitTypeInUse(e))
        return { kind: 'inUse', futureBookings: futureBookingsOf(e), message: outcome.message };
    }
    return outcome;
  }

  function $reset(): void {
    unitId.value = null;
    columns.value = {};
    resourcesStatus.value = 'idle';
    visitTypes.value = [];
    visitTypesStatus.value = 'idle';
    products.value = [];
    productsStatus.value = 'idle';
    date.value = null;
    blocks.value = [];
    blocksStatus.value = 'idle';
    day.value = null;
    dayStatus.value = 'idle';
    pending.value = {};
  }

  return {
    unitId,
    columns,
    resourcesStatus,
    visitTypes,
    visitTypesStatus,
    products,
    productsStatus,
    date,
    blocks,
    blocksStatus,
    day,
    dayStatus,
    pending,
    begin,
    isPending,
    loadResources,
    loadVisitTypes,
    loadProducts,
    loadDay,
    openSlots,
    createBlock,
    removeBlock,
    saveDay,
    createVisitType,
    updateVisitType,
    deleteVisitType,
    $reset,
  };
});

/** What an error answer means for the form; anything but an HTTP or network error is a bug and is thrown. */
export function adminFailure(e: unknown): AdminFailure {
  if (e instanceof NetworkError) return { kind: 'failed', message: null };
  if (!(e instanceof ApiError)) throw e;
  const message = e.messages.join(' ') || null;
  const field = typeof e.body.field === 'string' && e.body.field ? e.body.field : null;
  // 400 bad input, 422 a rule ("a dose number needs a product"), 404 naming a field ("no such product").
  if (e.status === 400 || e.status === 422 || (e.status === 404 && field))
    return { kind: 'invalid', field, message: message ?? e.message };
  if (e.status === 403) return { kind: 'forbidden', message };
  if (e.status === 409) return { kind: 'conflict', message, body: e.body };
  if (e.status === 401) return { kind: 'failed', message: null };
  return { kind: 'failed', message };
}

function emptyDay(date: string): TimebookDay {
  return { date, note: null, webBookingClosed: false };
}

function isRetired(vt: VisitType): boolean {
  const r = (vt as VisitType & { retiredAt?: unknown }).retiredAt;
  return typeof r === 'string' && r.length > 0;
}

function sortVisitTypes(list: VisitType[]): VisitType[] {
  return [...list].sort((a, b) => byName.compare(a.name, b.name));
}

function sortBlocks(list: TimebookBlock[]): TimebookBlock[] {
  return [...list].sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end));
}

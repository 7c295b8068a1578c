import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import {
  citizenApi,
  type CitizenBooking,
  type CitizenMe,
  type DeclarationQuestionSet,
  type Hold,
  type WaitingRoomState,
  type WebDay,
  type WebTime,
  type WebUnit,
} from '../api/citizen';
import { ApiError, isApiError } from '../api/http';
import { addDays, todayInStockholm } from '../lib/dates';

/** sessionStorage: a reload keeps the citizen logged in, closing the tab ends it. */
const STORAGE_KEY = 'vaxops.citizen';
/** How far ahead citizens may pick a day. */
export const BOOKING_HORIZON_DAYS = 28;
const POLL_MS = 2000;

/** What went wrong, as the page explains it (texts in locales under `book.errors`). */
export type BookError =
  | 'taken'
  | 'holdExpired'
  | 'doseNotDue'
  | 'notAllowed'
  | 'busy'
  | 'invalidPhone'
  | 'network'
  | 'linkInvalid'
  | 'declarationIncomplete'
  | 'failed';

export interface HeldTime extends Hold {
  start: string;
  end: string;
}

function errorOf(e: unknown): BookError {
  if (e instanceof ApiError) {
    if (e.status === 409) return 'taken';
    if (e.status === 503 && e.code === 'WAITING_ROOM') return 'busy';
    if (e.status === 422 && e.body.reason === 'DOSE_NOT_DUE') return 'doseNotDue';
    if (e.status === 422 && (e.body.rule === 'R3' || e.body.rule === 'R4')) return 'notAllowed';
    if (e.status === 400 && String(e.body.field ?? '').includes('phone')) return 'invalidPhone';
    if (e.status === 404 && e.body.field === 'token') return 'linkInvalid';
    return 'failed';
  }
  return 'network';
}

/**
 * The citizen's booking flow (`/boka`): log in (BankID stand-in), wait in the rush waiting room,
 * choose unit → visit type → day → time, hold it (R14, with a countdown), confirm. Also the
 * citizen's own bookings (cancel, rebook) and the signed link from an SMS.
 */
export const useCitizenStore = defineStore('citizen', () => {
  const token = ref<string | null>(sessionStorage.getItem(STORAGE_KEY));
  const me = ref<CitizenMe | null>(null);
  const room = ref<WaitingRoomState | null>(null);
  const units = ref<WebUnit[] | null>(null);
  const unitId = ref<string | null>(null);
  const visitTypeId = ref<string | null>(null);
  const days = ref<WebDay[] | null>(null);
  const date = ref<string | null>(null);
  const times = ref<WebTime[] | null>(null);
  const held = ref<HeldTime | null>(null);
  const booked = ref<{
    id: string;
    start: string;
    unitName: string;
    visitTypeName: string;
    /** R19: the declaration was saved; `flagged`: some answers are for the vaccinator to look at */
    declaration: 'saved' | 'flagged' | 'failed' | 'none';
  } | null>(null);
  /** R19: the health declaration questions of the chosen visit type, and the answers so far */
  const questions = ref<DeclarationQuestionSet['questions'] | null>(null);
  const answers = ref<Record<string, boolean | undefined>>({});
  const bookings = ref<CitizenBooking[] | null>(null);
  /** the booking being moved (Boka om), from "Mina bokningar" or an SMS link */
  const rebookOf = ref<CitizenBooking | null>(null);
  const busy = ref(false);
  const error = ref<BookError | null>(null);
  let pollTimer: ReturnType<typeof setTimeout> | null = null;

  const isLoggedIn = computed(() => token.value !== null);
  const admitted = computed(() => room.value?.admitted === true);
  const unit = computed(() => units.value?.find((u) => u.id === unitId.value) ?? null);
  const visitType = computed(() => unit.value?.visitTypes.find((v) => v.id === visitTypeId.value) ?? null);

  function setToken(t: string | null): void {
    token.value = t;
    if (t) sessionStorage.setItem(STORAGE_KEY, t);
    else sessionStorage.removeItem(STORAGE_KEY);
  }

  /** Runs a step; a 401 ends the citizen session (the token expired), other errors are shown. */
  async function step<T>(fn: (t: string) => Promise<T>): Promise<T | undefined> {
    if (!token.value) return undefined;
    busy.value = true;
    error.value = null;
    try {
      return await fn(token.value);
    } catch (e) {
      if (isApiError(e, 401)) {
        logout();
        return undefined;
      }
      error.value = errorOf(e);
      if (error.value === 'busy') void enterRoom();
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  async function login(personalIdentityNumber: string): Promise<boolean> {
    busy.value = true;
    error.value = null;
    try {
      setToken((await citizenApi.login(personalIdentityNumber)).accessToken);
    } catch (e) {
      error.value = isApiError(e, 400) ? 'failed' : errorOf(e);
      return false;
    } finally {
      busy.value = false;
    }
    await start();
    return true;
  }

  /** After login or a reload: who am I, my bookings, and a place in the waiting room. */
  async function start(): Promise<void> {
    const who = await step((t) => citizenApi.me(t));
    if (!who) return;
    me.value = who;
    await loadBookings();
    if (who.webBooking.allowed) await enterRoom();
  }

  async function enterRoom(): Promise<void> {
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = null;
    const state = await step((t) => citizenApi.enterWaitingRoom(t));
    if (!state) {
      // network trouble: keep the place, ask again shortly
      if (error.value === 'network' && token.value) pollTimer = setTimeout(() => void enterRoom(), POLL_MS);
      return;
    }
    room.value = state;
    if (state.admitted) {
      if (!units.value) await loadUnits();
    } else {
      pollTimer = setTimeout(() => void enterRoom(), POLL_MS);
    }
  }

  async function loadUnits(): Promise<void> {
    const list = await step((t) => citizenApi.units(t));
    if (list) units.value = list;
  }

  async function loadBookings(): Promise<void> {
    const list = await step((t) => citizenApi.bookings(t));
    if (list) bookings.value = list;
  }

  function chooseUnit(id: string | null): void {
    unitId.value = id;
    visitTypeId.value = null;
    days.value = null;
    date.value = null;
    times.value = null;
    // the only visit type of a unit is chosen for you
    const only = unit.value?.visitTypes.length === 1 ? unit.value.visitTypes[0] : undefined;
    if (only) void chooseVisitType(only.id);
  }

  async function chooseVisitType(id: string): Promise<void> {
    visitTypeId.value = id;
    date.value = null;
    times.value = null;
    await Promise.all([loadDays(), loadQuestions()]);
  }

  async function loadQuestions(): Promise<void> {
    questions.value = null;
    answers.value = {};
    const area = visitType.value?.diseaseArea;
    if (!area || !token.value) return;
    try {
      const [set] = await citizenApi.questions(token.value, area);
      if (area === visitType.value?.diseaseArea) questions.value = set?.questions ?? null;
    } catch {
      // no declaration questions for this area: the unit fills it in at the visit
      questions.value = null;
    }
  }

  async function loadDays(): Promise<void> {
    if (!unitId.value || !visitTypeId.value) return;
    const from = todayInStockholm();
    const u = unitId.value;
    const v = visitTypeId.value;
    days.value = null;
    const list = await step((t) => citizenApi.days(t, u, v, from, addDays(from, BOOKING_HORIZON_DAYS - 1)));
    if (list && u === unitId.value && v === visitTypeId.value) days.value = list;
  }

  async function chooseDate(d: string): Promise<void> {
    date.value = d;
    await loadTimes();
  }

  async function loadTimes(): Promise<void> {
    if (!unitId.value || !visitTypeId.value || !date.value) return;
    const [u, v, d] = [unitId.value, visitTypeId.value, date.value];
    times.value = null;
    const list = await step((t) => citizenApi.times(t, u, v, d));
    if (list && d === date.value) times.value = list;
  }

  /** Hold a time (R14). Taken meanwhile: the list is refreshed and the page says so. */
  async function pickTime(time: WebTime): Promise<void> {
    // taking a new hold releases the citizen's earlier one on the server (one hold each)
    const hold = await step((t) => citizenApi.hold(t, time.slotId));
    if (hold) {
      held.value = { ...hold, start: time.start, end: time.end };
    } else if (error.value === 'taken') {
      await loadTimes();
      error.value = 'taken';
    }
  }

  async function releaseHold(): Promise<void> {
    const h = held.value;
    held.value = null;
    if (h && token.value) await citizenApi.release(token.value, h.holdId).catch(() => undefined);
  }

  /** The countdown reached zero: the hold is gone (the server released it too). */
  async function holdExpired(): Promise<void> {
    held.value = null;
    await loadTimes();
    error.value = 'holdExpired';
  }

  async function confirm(phone: string | null): Promise<boolean> {
    const h = held.value;
    const who = me.value;
    const v = visitType.value;
    const u = unit.value;
    if (!h || !who || !v || !u) return false;
    const qs = questions.value ?? [];
    if (qs.some((q) => answers.value[q.id] === undefined)) {
      error.value = 'declarationIncomplete';
      return false;
    }
    const result = await step((t) =>
      rebookOf.value
        ? citizenApi.rebook(t, rebookOf.value.id, { slotId: h.slotId, visitTypeId: v.id, phone })
        : citizenApi.book(t, {
            slotId: h.slotId,
            visitTypeId: v.id,
            patient: { personalIdentityNumber: who.personalIdentityNumber, phone },
          }),
    );
    if (!result) {
      if (error.value === 'taken') {
        held.value = null;
        await loadTimes();
        error.value = 'taken';
      }
      return false;
    }
    let declaration: 'saved' | 'flagged' | 'failed' | 'none' = 'none';
    if (qs.length && v.diseaseArea && token.value) {
      try {
        const saved = await citizenApi.declare(token.value, {
          diseaseArea: v.diseaseArea,
          answers: answers.value as Record<string, boolean>,
          bookingId: result.id,
        });
        declaration = saved.flags.length ? 'flagged' : 'saved';
      } catch {
        declaration = 'failed';
      }
    }
    booked.value = { id: result.id, start: h.start, unitName: u.name, visitTypeName: v.name, declaration };
    held.value = null;
    rebookOf.value = null;
    await loadBookings();
    return true;
  }

  async function cancel(bookingId: string): Promise<boolean> {
    const ok = await step((t) => citizenApi.cancel(t, bookingId));
    await loadBookings();
    return ok !== undefined;
  }

  /** "Boka om": pick a new time; the old booking is cancelled when the new one is confirmed. */
  function startRebook(b: CitizenBooking): void {
    rebookOf.value = b;
    booked.value = null;
    const u = units.value?.find((x) => x.id === b.unitId);
    if (u) {
      chooseUnit(u.id);
      if (u.visitTypes.some((v) => v.id === b.visitTypeId)) void chooseVisitType(b.visitTypeId);
    }
  }

  function newBooking(): void {
    booked.value = null;
    rebookOf.value = null;
    chooseUnit(null);
  }

  function logout(): void {
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = null;
    void releaseHold();
    setToken(null);
    me.value = null;
    room.value = null;
    units.value = null;
    bookings.value = null;
    booked.value = null;
    rebookOf.value = null;
    chooseUnit(null);
  }

  function $reset(): void {
    logout();
    error.value = null;
  }

  return {
    token,
    me,
    room,
    units,
    unitId,
    visitTypeId,
    days,
    date,
    times,
    held,
    booked,
    questions,
    answers,
    bookings,
    rebookOf,
    busy,
    error,
    isLoggedIn,
    admitted,
    unit,
    visitType,
    login,
    start,
    enterRoom,
    loadBookings,
    chooseUnit,
    chooseVisitType,
    chooseDate,
    loadTimes,
    pickTime,
    releaseHold,
    holdExpired,
    confirm,
    cancel,
    startRebook,
    newBooking,
    logout,
    $reset,
  };
});

import type { DayCounts, ResourceKind, SlotView } from '@events';

/** Kept as `string` on the wire: an unknown future role must not break the login list. */
export type RoleName = string;

export interface Assignment {
  id: string;
  role: RoleName;
  unitId: string;
  unitName: string;
  careProviderId: string;
  regionId: string;
}

export interface DevUser {
  hsaId: string;
  name: string;
  assignments: Assignment[];
}

export interface SessionUser {
  id: string;
  hsaId: string;
  name: string;
}

/** Answer of dev-login and of switch. */
export interface LoginResponse {
  accessToken: string;
  assignments: Assignment[];
  activeAssignmentId: string;
  user: SessionUser;
}

export interface Unit {
  id: string;
  hsaId: string;
  name: string;
  careProviderId: string;
  regionId: string;
  municipalityCode: string;
  /** Has a timebook and holds stock: only these can receive a transfer. */
  vaccinates: boolean;
}

export interface VisitType {
  id: string;
  name: string;
  resource: ResourceKind;
  productId?: string;
  doseNumber?: number;
  webBookable: boolean;
  /** ISO weekdays (1 = Monday … 7 = Sunday); empty means every day. */
  allowedWeekdays: number[];
  /** How long the visit takes (R11); the list endpoint sends it. */
  durationMinutes?: number;
}

export interface SlotsResponse {
  version: number;
  slots: SlotView[];
}

export interface AvailabilityResponse {
  version: number;
  days: DayCounts[];
}

export type BookingStatus = string;

export interface CreateBookingRequest {
  slotId: string;
  visitTypeId: string;
  patient: { personalIdentityNumber: string; phone?: string };
}

export interface CreatedBooking {
  id: string;
  slotId: string;
  status: BookingStatus;
}

export interface BookingDetails {
  id: string;
  slotId: string;
  status: BookingStatus;
  visitType: { id: string; name: string };
  patient: { id: string; name: string; personalIdentityNumber: string; phone?: string };
  createdAt: string;
  /** the bookings this one replaced, newest first (rebooking keeps the history) */
  history?: Array<{
    id: string;
    status: string;
    start: string;
    unitName: string;
    cancelReason: string | null;
  }>;
}

export interface CancelledBooking {
  id: string;
  status: 'CANCELLED';
}

/** `GET /api/products`: the catalogue (R23: `name` is the current name, old ones in `aliases`). */
export interface Product {
  id: string;
  name: string;
  aliases: string[];
  atcCode: string;
  dosesPerVial: number;
  diseaseArea: string;
}

/** BullMQ's job states, as `GET /api/jobs/:id` reports them. */
export type JobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'paused' | 'unknown';

/** `GET /api/jobs/:id`. */
export interface JobStatus {
  id: string;
  queue: string;
  name?: string;
  state: JobState;
  progress: { done: number; total: number };
  failedReason?: string;
  /** The job's own summary once it is done, e.g. a reconciliation's `{ units, dosesWrittenOff }`. */
  result?: unknown;
  createdAt?: string;
  finishedAt?: string;
}

/** `POST /api/units/:unitId/mass-cancellations` (R17): a day, or part of it, with one SMS per booking. */
export interface MassCancellationRequest {
  date: string;
  /** HH:MM, Stockholm time: slots starting at or after */
  from?: string;
  /** HH:MM: slots starting before */
  to?: string;
  visitTypeId?: string;
  message: string;
  /** campaign SMS normally wait out 20:00–08:00 (R18); urgent ones go at once */
  urgent?: boolean;
}

/** 202 answer: the job to follow on the unit's `jobs` topic. */
export interface MassCancellationStarted {
  jobId: string;
  massCancellationId: string;
  total: number;
}

export type MassCancellationStatus = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED';

/** `GET /api/mass-cancellations/:id`. */
export interface MassCancellation {
  id: string;
  unitId: string;
  date: string;
  from: string | null;
  to: string | null;
  visitTypeId: string | null;
  message: string;
  status: MassCancellationStatus;
  total: number;
  done: number;
  smsQueued: number;
  jobId: string;
}

/** ISO weekday as the API writes it in a template's keys: '1' = Monday … '7' = Sunday. */
export type WeekdayKey = '1' | '2' | '3' | '4' | '5' | '6' | '7';

/** A local opening interval, HH:MM–HH:MM (Europe/Stockholm wall clock). */
export interface OpeningInterval {
  start: string;
  end: string;
}

/** `POST /api/units/:unitId/timebook/slots`: open times from a weekly template (R10). */
export interface OpenSlotsRequest {
  resource: ResourceKind;
  /** YYYY-MM-DD, inclusive */
  from: string;
  /** YYYY-MM-DD, inclusive; at most 92 days from `from` */
  to: string;
  slotMinutes: number;
  /** Omitted: the resource's current number of columns. */
  columns?: number;
  /** Every weekday, closed ones as []. */
  weekdays: Record<WeekdayKey, OpeningInterval[]>;
}

/** 201 answer: times that already existed are kept and counted as skipped. */
export interface OpenSlotsResult {
  created: number;
  skipped: number;
}

/** `GET /api/units/:unitId/timebook/resources`: a resource and its columns (R10). */
export interface TimebookResourceInfo {
  resource: ResourceKind;
  name?: string;
  columns: number;
}

/** `POST /api/units/:unitId/timebook/blocks` (R16): a time range of a day, with a note. */
export interface CreateBlockRequest {
  date: string;
  /** HH:MM, slots starting at or after */
  from: string;
  /** HH:MM, slots starting before */
  to: string;
  /** Omitted: every resource. */
  resource?: ResourceKind;
  note: string;
}

/** 201 answer: free slots blocked; booked ones stay booked (and are counted here). */
export interface CreatedBlock {
  id: string;
  blocked: number;
  alreadyBooked: number;
}

/** `GET /api/units/:unitId/timebook/blocks?date=`. */
export interface TimebookBlock {
  id: string;
  /** An instant with offset, or a local HH:MM (both are shown as local time). */
  start: string;
  end: string;
  resource?: ResourceKind | null;
  note: string;
  /** slots the block holds */
  slots: number;
}

/** A day's note and web booking (R15, R16); days without a row have neither. */
export interface TimebookDay {
  date: string;
  note: string | null;
  webBookingClosed: boolean;
}

/** `PUT /api/units/:unitId/timebook/days/:date`: only the fields given change. */
export interface TimebookDayUpdate {
  note?: string | null;
  webBookingClosed?: boolean;
}

/** `POST /api/units/:unitId/visit-types` (R11). */
export interface CreateVisitTypeRequest {
  name: string;
  resource: ResourceKind;
  durationMinutes: number;
  productId?: string;
  doseNumber?: number;
  allowedWeekdays: number[];
  webBookable: boolean;
}

/** `PATCH /api/visit-types/:id`: rename, re-scope, web booking, retire. */
export interface UpdateVisitTypeRequest {
  name?: string;
  allowedWeekdays?: number[];
  webBookable?: boolean;
  retired?: boolean;
}

/** `DELETE /api/visit-types/:id`: deleted outright, or retired when past bookings used it (R12). */
export interface DeletedVisitType {
  id?: string;
  deleted: boolean;
  retired?: boolean;
}

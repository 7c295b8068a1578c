import { http, seg, type RequestOptions } from './http';

/** The citizen side (`/boka`): its own session, separate from staff logins. */
export interface DevCitizen {
  kind: 'dose1Done' | 'registered' | 'protected' | 'reserve';
  personalIdentityNumber: string;
  name: string | null;
}

export interface CitizenMe {
  id: string;
  name: string | null;
  personalIdentityNumber: string;
  identityType: string;
  phone: string | null;
  webBooking: { allowed: true } | { allowed: false; rule: 'R3' | 'R4'; reason: string; message: string };
  holdMinutes: number;
}

export interface WebVisitType {
  id: string;
  name: string;
  doseNumber: number | null;
  productId: string | null;
  /** which health declaration applies (R19); null: none */
  diseaseArea: string | null;
}

export interface DeclarationQuestionSet {
  diseaseArea: string;
  questions: Array<{ id: string; sv: string; en: string; flag: string }>;
}

export interface WebUnit {
  id: string;
  name: string;
  address: string | null;
  municipalityCode: string;
  municipalityName: string;
  visitTypes: WebVisitType[];
}

export interface WebDay {
  date: string;
  /** times open for web booking that day (0: closed) */
  open: number;
  free: number;
}

export interface WebTime {
  slotId: string;
  start: string;
  end: string;
  free: number;
}

export interface WaitingRoomState {
  admitted: boolean;
  position: number;
  ratePerSecond: number;
  estimatedWaitSeconds: number;
  admittedUntil: string | null;
}

export interface Hold {
  holdId: string;
  slotId: string;
  expiresAt: string;
}

export interface CitizenBooking {
  id: string;
  status: 'ACTIVE' | 'CANCELLED' | 'COMPLETED' | 'NO_SHOW';
  start: string;
  end: string;
  unitId: string;
  unitName: string;
  unitAddress: string | null;
  visitTypeId: string;
  visitTypeName: string;
  doseNumber: number | null;
  rebookedFromId: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
}

export interface BookingLink {
  booking: CitizenBooking;
}

const own = (token: string): RequestOptions => ({ token, ownSession: true });

export const citizenApi = {
  devCitizens: () => http.get<DevCitizen[]>('/citizen/dev-citizens', { token: null }),
  login: (personalIdentityNumber: string) =>
    http.post<{ accessToken: string }>('/citizen/dev-login', { personalIdentityNumber }, { token: null }),
  me: (token: string) => http.get<CitizenMe>('/citizen/me', own(token)),
  units: (token: string) => http.get<WebUnit[]>('/citizen/units', own(token)),
  days: (token: string, unitId: string, visitTypeId: string, from: string, to: string) =>
    http.get<WebDay[]>(`/citizen/units/${seg(unitId)}/days`, {
      ...own(token),
      query: { visitTypeId, from, to },
    }),
  times: (token: string, unitId: string, visitTypeId: string, date: string) =>
    http.get<WebTime[]>(`/citizen/units/${seg(unitId)}/times`, {
      ...own(token),
      query: { visitTypeId, date },
    }),
  enterWaitingRoom: (token: string) =>
    http.post<WaitingRoomState>('/citizen/waiting-room', undefined, own(token)),
  hold: (token: string, slotId: string) =>
    http.post<Hold>(`/slots/${seg(slotId)}/hold`, undefined, own(token)),
  release: (token: string, holdId: string) => http.delete<unknown>(`/holds/${seg(holdId)}`, own(token)),
  book: (
    token: string,
    body: {
      slotId: string;
      visitTypeId: string;
      patient: { personalIdentityNumber: string; phone?: string | null };
    },
  ) => http.post<{ id: string; slotId: string; status: string }>('/bookings', body, own(token)),
  rebook: (
    token: string,
    bookingId: string,
    body: { slotId: string; visitTypeId: string; phone?: string | null },
  ) =>
    http.post<{ id: string; slotId: string; status: string }>(
      `/bookings/${seg(bookingId)}/rebook`,
      body,
      own(token),
    ),
  questions: (token: string, diseaseArea: string) =>
    http.get<DeclarationQuestionSet[]>('/health-declarations/questions', {
      ...own(token),
      query: { diseaseArea },
    }),
  declare: (
    token: string,
    body: { diseaseArea: string; answers: Record<string, boolean>; bookingId: string; comment?: string },
  ) =>
    http.post<{ id: string; flags: Array<{ code: string; text: string }> }>(
      '/citizen/health-declarations',
      body,
      own(token),
    ),
  bookings: (token: string) => http.get<CitizenBooking[]>('/citizen/bookings', own(token)),
  cancel: (token: string, bookingId: string) =>
    http.delete<unknown>(`/bookings/${seg(bookingId)}`, own(token)),
  link: (linkToken: string) => http.get<BookingLink>(`/booking-links/${seg(linkToken)}`, { token: null }),
  cancelByLink: (linkToken: string) =>
    http.delete<unknown>(`/booking-links/${seg(linkToken)}`, { token: null }),
};

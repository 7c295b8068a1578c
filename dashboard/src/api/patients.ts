import { http, seg } from './http';

/** POST /api/patients: staff add a patient (R3 protected identity, R4 reserve number). */
export interface CreatePatientRequest {
  personalIdentityNumber?: string;
  reserveNumber?: boolean;
  firstName: string;
  lastName: string;
  birthDate?: string;
  sex?: 'FEMALE' | 'MALE' | 'UNKNOWN';
  protectedIdentity?: boolean;
  phone?: string | null;
}

export interface PatientView {
  id: string;
  personalIdentityNumber: string;
  identityType: 'PERSONNUMMER' | 'SAMORDNINGSNUMMER' | 'RESERVNUMMER';
  firstName: string | null;
  lastName: string | null;
  birthDate: string | null;
  protectedIdentity: boolean;
  phone: string | null;
}

export interface BookingHistoryItem {
  id: string;
  status: string;
  start: string;
  unitName: string;
  visitTypeName: string;
  cancelReason: string | null;
}

export const patientsApi = {
  create: (body: CreatePatientRequest) => http.post<PatientView>('/patients', body),
  rebook: (bookingId: string, body: { slotId: string; visitTypeId?: string }) =>
    http.post<{ id: string; slotId: string; status: string; rebookedFrom: string }>(
      `/bookings/${seg(bookingId)}/rebook`,
      body,
    ),
};

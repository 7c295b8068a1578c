import { http, requestBlob, seg } from './http';

/** The vaccination journal (R19–R22, R7, R9, R30) and the citizen's "Mina vaccinationer". */

export type DiseaseArea = 'COVID-19' | 'INFLUENSA';

export interface DeclarationQuestion {
  id: string;
  sv: string;
  en: string;
  flag: string;
}

export interface DeclarationFlag {
  code: string;
  text: string;
}

export interface JournalDose {
  id: string;
  doseNumber: number;
  givenAt: string;
  givenOn: string;
  historical: boolean;
  comment: string | null;
  status: 'GIVEN' | 'VOIDED';
  voidedAt: string | null;
  voidReason: string | null;
  sealedByProvider: boolean;
  product: { id: string; name: string; atcCode: string };
  batch: { id: string; batchNumber: string } | null;
  unit: { id: string; name: string } | null;
  recordedAt: string | null;
  careProvider: { id: string; name: string } | null;
  administeredBy: string | null;
  prescriptionId: string | null;
  otherProvider: boolean;
}

export interface JournalPrescription {
  id: string;
  doseNumber: number;
  diseaseArea: string;
  status: 'ACTIVE' | 'ADMINISTERED' | 'VOIDED';
  product: { id: string; name: string };
  unit: { id: string; name: string };
  prescribedBy: string | null;
  declarationId: string | null;
  replacesId: string | null;
  voidedAt: string | null;
  voidReason: string | null;
  createdAt: string;
  otherProvider: boolean;
}

export interface JournalDeclaration {
  id: string;
  diseaseArea: string;
  answers: Record<string, boolean>;
  flags: DeclarationFlag[];
  comment: string | null;
  source: 'CITIZEN' | 'STAFF';
  unitName: string | null;
  filledBy: string | null;
  createdAt: string;
}

export interface Journal {
  patient: {
    id: string;
    personalIdentityNumber: string;
    identityType: 'PERSONNUMMER' | 'SAMORDNINGSNUMMER' | 'RESERVNUMMER';
    firstName: string | null;
    lastName: string | null;
    birthDate: string | null;
    sex: string;
    protectedIdentity: boolean;
    sealed: boolean;
  };
  vaccinations: JournalDose[];
  prescriptions: JournalPrescription[];
  declarations: JournalDeclaration[];
  crossProvider: { consent: { givenAt: string } | null; otherProviderDoses: number; hiddenDoses: number };
}

export interface AccessLogEntry {
  at: string;
  action: string;
  what: string | null;
  role: string | null;
  user: { name: string; hsaId: string } | null;
  unit: { name: string; hsaId: string } | null;
  assignmentId: string | null;
  citizen: boolean;
}

export interface ControlReportEntry {
  vaccinationId: string;
  givenOn: string;
  doseNumber: number;
  status: 'GIVEN' | 'VOIDED';
  historical: boolean;
  comment: string | null;
  voidedAt: string | null;
  patient: { personalIdentityNumber: string; identityType: string; name: string | null };
  product: { name: string; nplId: string; atcCode: string };
  unit: { id: string; name: string } | null;
  reportedToNvr: boolean;
  problems: Array<{ code: string; text: string }>;
}

export interface ControlReport {
  from: string;
  to: string;
  truncated: boolean;
  counts: Record<string, number>;
  entries: ControlReportEntry[];
}

export interface CitizenDose {
  id: string;
  product: { id: string; name: string };
  doseNumber: number;
  givenOn: string;
  historical: boolean;
  comment: string | null;
  unitName: string | null;
  batchNumber: string | null;
}

export interface NextDose {
  productId: string;
  productName: string;
  doseNumber: number;
  dueOn: string;
  overdue: boolean;
}

export interface CitizenPerson {
  vaccinations: CitizenDose[];
  nextDoses: NextDose[];
  age: number | null;
}

export interface CitizenVaccinations extends CitizenPerson {
  patient: { id: string; firstName: string | null; lastName: string | null; birthDate: string | null };
  children: Array<
    CitizenPerson & { id: string; firstName: string | null; lastName: string | null; birthDate: string }
  >;
}

const p = (pnr: string) => `/patients/${seg(pnr)}`;

export const journalApi = {
  journal: (pnr: string) => http.get<Journal>(`${p(pnr)}/journal`),
  questions: (diseaseArea: DiseaseArea) =>
    http.get<Array<{ diseaseArea: DiseaseArea; questions: DeclarationQuestion[] }>>(
      '/health-declarations/questions',
      { query: { diseaseArea } },
    ),
  declare: (
    pnr: string,
    body: { diseaseArea: DiseaseArea; answers: Record<string, boolean>; comment?: string },
  ) => http.post<{ id: string; flags: DeclarationFlag[] }>(`${p(pnr)}/health-declarations`, body),
  prescribe: (
    pnr: string,
    body: {
      doses: Array<{ doseNumber: number; productId?: string }>;
      declarationId?: string;
      acknowledgeFlags?: boolean;
    },
  ) =>
    http.post<{ prescriptions: Array<{ id: string; doseNumber: number; productId: string }> }>(
      `${p(pnr)}/prescriptions`,
      body,
    ),
  voidPrescription: (
    id: string,
    reason: string,
    replacement?: { productId?: string; acknowledgeFlags?: boolean },
  ) => http.post(`/prescriptions/${seg(id)}/void`, { reason, replacement }),
  administer: (body: {
    personalIdentityNumber: string;
    productId: string;
    batchId: string;
    doseNumber: number;
    prescriptionId?: string;
  }) => http.post<{ id: string }>('/vaccinations', body),
  historical: (
    pnr: string,
    body: { productId: string; doseNumber: number; givenOn: string; comment: string },
  ) => http.post<{ id: string }>(`${p(pnr)}/historical-vaccinations`, body),
  voidDose: (id: string, reason: string) => http.post(`/vaccinations/${seg(id)}/void`, { reason }),
  sealDose: (id: string, sealed: boolean) => http.post(`/vaccinations/${seg(id)}/sealing`, { sealed }),
  sealPatient: (pnr: string, sealed: boolean) => http.post(`${p(pnr)}/sealing`, { sealed }),
  recordConsent: (pnr: string) => http.post(`${p(pnr)}/consent`),
  revokeConsent: (pnr: string) => http.delete(`${p(pnr)}/consent`),
  changeIdentity: (pnr: string, newIdentityNumber: string) =>
    http.post<{ personalIdentityNumber: string }>(`${p(pnr)}/identity`, { newIdentityNumber }),
  accessLog: (pnr: string) => http.get<{ entries: AccessLogEntry[] }>(`${p(pnr)}/access-log`),
  print: (pnr: string, kind: 'history' | 'journal') => requestBlob(`${p(pnr)}/print`, { query: { kind } }),
  controlReport: (q: { from?: string; to?: string; unitId?: string }) =>
    http.get<ControlReport>('/control-report', { query: q }),
};

export const citizenApi = {
  devLogin: (personalIdentityNumber: string) =>
    http.post<{ accessToken: string; patient: { id: string; name: string | null } }>(
      '/citizen/dev-login',
      { personalIdentityNumber },
      { token: null },
    ),
  vaccinations: (token: string) => http.get<CitizenVaccinations>('/citizen/vaccinations', { token }),
};

import type { CitizenVaccinations, ControlReport, Journal, JournalDose } from '../api/journal';

export function dose(over: Partial<JournalDose> = {}): JournalDose {
  return {
    id: 'v1',
    doseNumber: 1,
    givenAt: '2026-10-01T09:00:00+02:00',
    givenOn: '2026-10-01',
    historical: false,
    comment: null,
    status: 'GIVEN',
    voidedAt: null,
    voidReason: null,
    sealedByProvider: false,
    product: { id: 'p-com', name: 'Comirnaty', atcCode: 'J07BN01' },
    batch: { id: 'b1', batchNumber: 'GH2231' },
    unit: { id: 'u1', name: 'Vaccinationsmottagningen Jönköping' },
    recordedAt: null,
    careProvider: { id: 'cp', name: 'Region Jönköpings län' },
    administeredBy: 'Nils Förskrivare',
    prescriptionId: null,
    otherProvider: false,
    ...over,
  };
}

export function journal(over: Partial<Journal> = {}): Journal {
  return {
    patient: {
      id: 'pat-1',
      personalIdentityNumber: '199001010017',
      identityType: 'PERSONNUMMER',
      firstName: 'Eva',
      lastName: 'Ek',
      birthDate: '1990-01-01',
      sex: 'FEMALE',
      protectedIdentity: false,
      sealed: false,
    },
    vaccinations: [
      dose(),
      dose({
        id: 'v-hist',
        historical: true,
        batch: null,
        unit: null,
        recordedAt: 'Vaccinationsmottagningen Jönköping',
        comment: 'Given i Tyskland',
        givenOn: '2021-06-01',
      }),
      dose({
        id: 'v-void',
        status: 'VOIDED',
        voidReason: 'Fel patient',
        voidedAt: '2026-10-02T10:00:00+02:00',
      }),
    ],
    prescriptions: [
      {
        id: 'rx-2',
        doseNumber: 2,
        diseaseArea: 'COVID-19',
        status: 'ACTIVE',
        product: { id: 'p-com', name: 'Comirnaty' },
        unit: { id: 'u1', name: 'Vaccinationsmottagningen Jönköping' },
        prescribedBy: 'Lena Läkare',
        declarationId: 'd1',
        replacesId: null,
        voidedAt: null,
        voidReason: null,
        createdAt: '2026-10-01T08:55:00+02:00',
        otherProvider: false,
      },
    ],
    declarations: [
      {
        id: 'd1',
        diseaseArea: 'COVID-19',
        answers: {},
        flags: [{ code: 'BLEEDING_RISK', text: 'Blödningsrisk: komprimera injektionsstället längre' }],
        comment: null,
        source: 'CITIZEN',
        unitName: null,
        filledBy: null,
        createdAt: '2026-10-01T08:00:00+02:00',
      },
    ],
    crossProvider: { consent: null, otherProviderDoses: 2, hiddenDoses: 2 },
    ...over,
  };
}

export const controlReport: ControlReport = {
  from: '2026-08-01',
  to: '2026-11-01',
  truncated: false,
  counts: { HISTORICAL: 1, INVALID_IDENTITY: 1 },
  entries: [
    {
      vaccinationId: 'v-hist',
      givenOn: '2021-06-01',
      doseNumber: 1,
      status: 'GIVEN',
      historical: true,
      comment: 'Given i Tyskland',
      voidedAt: null,
      patient: { personalIdentityNumber: '199001010017', identityType: 'PERSONNUMMER', name: 'Eva Ek' },
      product: { name: 'Comirnaty', nplId: '20201221100012', atcCode: 'J07BN01' },
      unit: { id: 'u1', name: 'Vaccinationsmottagningen Jönköping' },
      reportedToNvr: false,
      problems: [{ code: 'HISTORICAL', text: 'registrerad utan batch, skickas inte till NVR' }],
    },
    {
      vaccinationId: 'v-res',
      givenOn: '2026-10-20',
      doseNumber: 1,
      status: 'GIVEN',
      historical: false,
      comment: null,
      voidedAt: null,
      patient: { personalIdentityNumber: '997806150011', identityType: 'RESERVNUMMER', name: 'Amir Haddad' },
      product: { name: 'Comirnaty', nplId: '20201221100012', atcCode: 'J07BN01' },
      unit: { id: 'u1', name: 'Vaccinationsmottagningen Jönköping' },
      reportedToNvr: false,
      problems: [
        { code: 'INVALID_IDENTITY', text: 'Reservnummer: NVR kräver personnummer eller samordningsnummer' },
      ],
    },
  ],
};

export const citizenData: CitizenVaccinations = {
  patient: { id: 'pat-1', firstName: 'Eva', lastName: 'Ek', birthDate: '1990-01-01' },
  vaccinations: [
    {
      id: 'cv1',
      product: { id: 'p-com', name: 'Comirnaty' },
      doseNumber: 1,
      givenOn: '2026-11-01',
      historical: false,
      comment: null,
      unitName: 'Vaccinationsmottagningen Jönköping',
      batchNumber: 'GH2231',
    },
  ],
  nextDoses: [
    { productId: 'p-com', productName: 'Comirnaty', doseNumber: 2, dueOn: '2026-11-22', overdue: false },
  ],
  age: 36,
  children: [
    {
      id: 'child-1',
      firstName: 'Ola',
      lastName: 'Ek',
      birthDate: '2016-03-01',
      vaccinations: [],
      nextDoses: [],
      age: 10,
    },
  ],
};

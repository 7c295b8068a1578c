import { csvField, ExportRow, identitySystem, recordId, SYSTEMS, toCsvLines, toImmunizations } from './fhir';

const row = (over: Partial<ExportRow> = {}): ExportRow => ({
  vaccination_id: '0b9c7a52-4c1e-4d7e-9a55-0f3e2f7f8a10',
  revision: 1,
  action: 'NEW',
  previous_revision: null,
  identity_number: '198112189876',
  identity_type: 'PERSONNUMMER',
  previous_identity_number: null,
  previous_identity_type: null,
  reserve_number_oid: '1.2.752.74.9.1',
  dose_number: 2,
  given_at: '2026-11-21T10:15:00+01:00',
  recorded_at: '2026-11-21T10:16:02+01:00',
  void_reason: null,
  npl_id: '20201221100012',
  atc_code: 'J07BN01',
  product_name: 'Comirnaty',
  manufacturer: 'BioNTech',
  batch_number: 'GH2231',
  expires_on: '2027-04-10',
  care_provider_hsa: 'SE2321000057-0001',
  care_provider_name: 'Region Jönköpings län',
  unit_hsa: 'SE2321000057-1001',
  unit_name: 'Vaccinationsmottagningen Jönköping',
  ...over,
});

describe('NVR records (R28)', () => {
  it('a new dose is one completed Immunization with identity, NPL-id and ATC, batch, dose number and HSA-ids', () => {
    const [r, ...rest] = toImmunizations(row());
    expect(rest).toEqual([]);
    expect(r).toMatchObject({
      resourceType: 'Immunization',
      id: recordId(row().vaccination_id, 1),
      status: 'completed',
      patient: { identifier: { system: SYSTEMS.PERSONNUMMER, value: '198112189876' } },
      occurrenceDateTime: '2026-11-21T10:15:00+01:00',
      lotNumber: 'GH2231',
      protocolApplied: [{ doseNumberPositiveInt: 2 }],
    });
    expect((r!.vaccineCode as any).coding).toEqual([
      { system: SYSTEMS.NPL_ID, code: '20201221100012', display: 'Comirnaty' },
      { system: SYSTEMS.ATC, code: 'J07BN01' },
    ]);
    expect((r!.performer as any[]).map((p) => p.actor.identifier.value)).toEqual([
      'SE2321000057-0001',
      'SE2321000057-1001',
    ]);
  });

  it('a dose voided after it was reported: the reported record, entered-in-error, with the reason', () => {
    const out = toImmunizations(
      row({ action: 'VOID', revision: 2, previous_revision: 1, void_reason: 'Fel patient' }),
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      id: `${row().vaccination_id}-1`,
      status: 'entered-in-error',
      statusReason: { text: 'Fel patient' },
    });
  });

  it('an identity change: the old record under the old number entered-in-error, then the new one', () => {
    const out = toImmunizations(
      row({
        action: 'CORRECTION',
        revision: 2,
        previous_revision: 1,
        previous_identity_number: '990101-0001',
        previous_identity_type: 'RESERVNUMMER',
      }),
    );
    expect(out.map((r) => [r.id, r.status])).toEqual([
      [`${row().vaccination_id}-1`, 'entered-in-error'],
      [`${row().vaccination_id}-2`, 'completed'],
    ]);
    expect((out[0]!.patient as any).identifier).toEqual({
      system: 'urn:oid:1.2.752.74.9.1',
      value: '990101-0001',
    });
    const csv = toCsvLines(row({ action: 'CORRECTION', revision: 2, previous_revision: 1 }), out)
      .trim()
      .split('\r\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain(`,${row().vaccination_id}-1,`); // the new row names the record it replaces
  });

  it('a dose voided before it was ever reported sends nothing', () => {
    expect(toImmunizations(row({ action: 'NONE', revision: 2 }))).toEqual([]);
  });

  it('identity systems: personnummer, samordningsnummer, and the region’s OID for reserve numbers', () => {
    expect(identitySystem('SAMORDNINGSNUMMER', null)).toBe(SYSTEMS.SAMORDNINGSNUMMER);
    expect(identitySystem('RESERVNUMMER', '1.2.752.74.9.1')).toBe('urn:oid:1.2.752.74.9.1');
    expect(identitySystem('RESERVNUMMER', 'SE2321000057-reserv')).toBe(
      'urn:vaxops:reservnummer:SE2321000057-reserv',
    );
  });

  it('CSV fields with commas, quotes or line breaks are quoted', () => {
    expect(csvField('Region, Jönköping')).toBe('"Region, Jönköping"');
    expect(csvField('a "b"')).toBe('"a ""b"""');
    expect(csvField(null)).toBe('');
  });
});

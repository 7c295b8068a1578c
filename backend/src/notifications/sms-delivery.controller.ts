import { Body, Controller, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '../auth/auth.decorators';
import { APP_CONFIG, AppConfig } from '../config/config';
import { forbidden } from '../common/errors';
import { DatabaseService } from '../infra/database.service';
import { sql } from '../infra/sql';
import { deliverySignature } from './sms.processor';

/** The provider's delivery receipt (`whendelivered`): a signed URL per notification. */
@ApiExcludeController()
@Controller('api/sms/delivery')
export class SmsDeliveryController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DatabaseService,
  ) {}

  @Post(':id')
  @Public()
  @HttpCode(200)
  async receipt(
    @Param('id') id: string,
    @Query('sig') sig: string | undefined,
    @Body() body: Record<string, unknown>,
  ) {
    const expected = Buffer.from(deliverySignature(String(id), this.config.JWT_SECRET));
    const given = Buffer.from(String(sig ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw forbidden('bad signature');
    const delivered = body?.status === 'delivered';
    await this.db.query(sql`
      UPDATE notification SET status = ${delivered ? 'DELIVERED' : 'FAILED'}::"NotificationStatus",
             delivered_at = CASE WHEN ${delivered}::boolean THEN now() ELSE delivered_at END,
             last_error = CASE WHEN ${delivered}::boolean THEN last_error ELSE ${`delivery ${String(body?.status ?? 'unknown')}`} END
       WHERE id = ${String(id)} AND status IN ('SENT', 'DELIVERED')`);
    return { ok: true };
  }
}

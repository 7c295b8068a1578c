import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { AppError, ErrorCode, notFound, ruleBroken } from '../common/errors';
import { DatabaseService } from '../infra/database.service';
import { sql } from '../infra/sql';
import { AccessService } from '../organisation/access.service';
import type { CreateVisitTypeDto, UpdateVisitTypeDto } from './dto/visit-type.dto';

const VIEW = sql`id, name, resource::text AS resource, product_id AS "productId", dose_number AS "doseNumber",
  web_bookable AS "webBookable", allowed_weekdays AS "allowedWeekdays", duration_minutes AS "durationMinutes",
  retired_at AS "retiredAt"`;

/** R11, R12: visit types, administered by TIMEBOOK_ADMIN. */
@Injectable()
export class VisitTypesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly access: AccessService,
  ) {}

  async create(p: Principal, unitId: string, dto: CreateVisitTypeDto) {
    await this.access.unit(p, 'timebook.admin', unitId);
    if (dto.productId) {
      const product = await this.db.one(sql`SELECT 1 AS ok FROM product WHERE id = ${dto.productId}`);
      if (!product) throw notFound('no such product', { field: 'productId' });
    }
    if (dto.doseNumber && !dto.productId)
      throw ruleBroken('a dose number needs a product', { field: 'doseNumber' });
    if (dto.categoryId) {
      const cat = await this.db.one(
        sql`SELECT 1 AS ok FROM visit_category WHERE id = ${dto.categoryId} AND unit_id = ${unitId}`,
      );
      if (!cat) throw notFound('no such visit category at this unit', { field: 'categoryId' });
    }
    return this.db.one(sql`
      INSERT INTO visit_type (unit_id, category_id, name, resource, duration_minutes, product_id, dose_number, allowed_weekdays, web_bookable)
      VALUES (${unitId}, ${dto.categoryId ?? null}, ${dto.name}, ${dto.resource}::"ResourceKind", ${dto.durationMinutes},
              ${dto.productId ?? null}, ${dto.doseNumber ?? null}, ${dto.allowedWeekdays}::int[], ${dto.webBookable})
      RETURNING ${VIEW}`);
  }

  private async unitOf(p: Principal, visitTypeId: string): Promise<string> {
    const vt = await this.db.one<{ unit_id: string }>(
      sql`SELECT unit_id FROM visit_type WHERE id = ${visitTypeId}`,
    );
    if (!vt) throw notFound(`visit type ${visitTypeId} not found`);
    await this.access.unit(p, 'timebook.admin', vt.unit_id);
    return vt.unit_id;
  }

  async update(p: Principal, visitTypeId: string, dto: UpdateVisitTypeDto) {
    await this.unitOf(p, visitTypeId);
    return this.db.one(sql`
      UPDATE visit_type SET
        name = coalesce(${dto.name ?? null}, name),
        allowed_weekdays = coalesce(${dto.allowedWeekdays ?? null}::int[], allowed_weekdays),
        web_bookable = coalesce(${dto.webBookable ?? null}::boolean, web_bookable),
        retired_at = CASE WHEN ${dto.retired ?? null}::boolean IS NULL THEN retired_at
                          WHEN ${dto.retired ?? null}::boolean THEN coalesce(retired_at, now()) ELSE NULL END
       WHERE id = ${visitTypeId}
      RETURNING ${VIEW}`);
  }

  /**
   * R12: refused (409) while future bookings use the type — deleting it must never make its
   * booked slots look free. The type's row is locked first, which waits for bookings being made
   * right now (their foreign-key check holds a share lock on it); a booking that started before
   * and commits after is refused by the deferred `booking_visit_type_not_retired` trigger.
   * Without future bookings the type is removed from use (retired) — or deleted outright when
   * no booking ever used it.
   */
  async remove(p: Principal, visitTypeId: string) {
    await this.unitOf(p, visitTypeId);
    return this.db.tx(async (q) => {
      await q(sql`SELECT id FROM visit_type WHERE id = ${visitTypeId} FOR UPDATE`);
      const [future] = await q<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM booking b JOIN slot s ON s.id = b.slot_id
         WHERE b.visit_type_id = ${visitTypeId} AND b.status = 'ACTIVE' AND s.ends_at > now()`);
      if (future!.n > 0) {
        throw new AppError(
          ErrorCode.CONFLICT,
          `${future!.n} future booking(s) use this visit type: cancel or rebook them, or rename or retire the type instead`,
          { futureBookings: future!.n },
        );
      }
      const [any] = await q<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM booking WHERE visit_type_id = ${visitTypeId}`,
      );
      if (any!.n === 0) {
        await q(sql`DELETE FROM visit_type WHERE id = ${visitTypeId}`);
        return { id: visitTypeId, deleted: true };
      }
      await q(sql`UPDATE visit_type SET retired_at = coalesce(retired_at, now()) WHERE id = ${visitTypeId}`);
      return { id: visitTypeId, deleted: false, retired: true };
    });
  }
}

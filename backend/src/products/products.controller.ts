import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CitizenAllowed, CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { AppError, ErrorCode, forbidden, notFound } from '../common/errors';
import { ApiZodBody, id, ZodPipe } from '../common/zod';
import { PrismaService } from '../infra/prisma.service';

const renameSchema = z.object({ name: z.string().trim().min(2, 'is too short').max(100, 'is too long') });

@ApiTags('products')
@ApiBearerAuth()
@Controller('api/products')
export class ProductsController {
  constructor(private readonly prisma: PrismaService) {}

  @Get()
  @CitizenAllowed()
  @ApiOperation({ summary: 'Vaccine products, with their former names (R23)' })
  async list() {
    const products = await this.prisma.product.findMany({
      include: { aliases: true },
      orderBy: { name: 'asc' },
    });
    return products.map((p) => ({
      id: p.id,
      name: p.name,
      aliases: p.aliases.map((a) => a.name),
      atcCode: p.atcCode,
      nplId: p.nplId,
      diseaseArea: p.diseaseArea,
      dosesPerVial: p.dosesPerVial,
      doseIntervalDays: p.doseIntervalDays,
      active: p.active,
    }));
  }

  /**
   * R23: a new name shows everywhere at once (everything refers to the product by id) and the
   * old one is kept as an alias.
   */
  @Patch(':id')
  @ApiOperation({ summary: 'Rename a product (ADMIN); the old name is kept as an alias' })
  @ApiZodBody(renameSchema)
  async rename(
    @CurrentPrincipal() p: Principal,
    @Param('id', new ZodPipe(id)) productId: string,
    @Body(new ZodPipe(renameSchema)) body: z.infer<typeof renameSchema>,
  ) {
    if (p.kind !== 'staff' || p.role !== 'ADMIN') throw forbidden('only an administrator renames products');
    const product = await this.prisma.product.findUnique({ where: { id: productId } });
    if (!product) throw notFound('no such product');
    if (product.name === body.name) return { id: product.id, name: product.name };
    const taken = await this.prisma.product.findUnique({ where: { name: body.name } });
    if (taken) throw new AppError(ErrorCode.CONFLICT, 'another product has that name', { field: 'name' });
    await this.prisma.$transaction([
      this.prisma.productAlias.upsert({
        where: { productId_name: { productId, name: product.name } },
        create: { productId, name: product.name },
        update: { until: new Date() },
      }),
      this.prisma.product.update({ where: { id: productId }, data: { name: body.name } }),
      this.prisma.auditLog.create({
        data: {
          userId: p.userId,
          assignmentId: p.assignmentId,
          unitId: p.unitId,
          role: p.role,
          action: 'product.rename',
          detail: { productId, from: product.name, to: body.name },
        },
      }),
    ]);
    return { id: productId, name: body.name, aliases: [product.name] };
  }
}

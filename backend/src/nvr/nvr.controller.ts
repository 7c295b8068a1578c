import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, Public } from '../auth/auth.decorators';
import type { StaffPrincipal } from '../auth/principal';
import { TokenService } from '../auth/token.service';
import { AppError, ErrorCode } from '../common/errors';
import { ApiZodBody, ApiZodQuery, id, ZodPipe } from '../common/zod';
import { downloadQuerySchema, fileName, listExportsSchema, startExportSchema } from './dto';
import { NvrService } from './nvr.service';

const idPipe = new ZodPipe(id);
const namePipe = new ZodPipe(fileName);

@ApiTags('nvr')
@ApiBearerAuth()
@Controller('api/nvr/exports')
export class NvrController {
  constructor(
    private readonly nvr: NvrService,
    private readonly tokens: TokenService,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start an NVR export (R28) for the region; the unfinished one if one is waiting or running',
  })
  @ApiZodBody(startExportSchema.unwrap().unwrap())
  @ApiResponse({ status: 202, description: '{ jobId, exportId, status, alreadyRunning }' })
  start(
    @CurrentStaff() p: StaffPrincipal,
    @Body(new ZodPipe(startExportSchema)) body: { regionId?: string },
  ) {
    return this.nvr.start(p, body.regionId);
  }

  @Get()
  @ApiOperation({ summary: "The region's export runs, newest first" })
  @ApiZodQuery(listExportsSchema)
  list(
    @CurrentStaff() p: StaffPrincipal,
    @Query(new ZodPipe(listExportsSchema)) q: { regionId?: string; limit: number },
  ) {
    return this.nvr.list(p, q.regionId, q.limit);
  }

  @Get(':exportId')
  @ApiOperation({ summary: 'One export run: window, counts, files (SHA-256), errors, progress' })
  get(@CurrentStaff() p: StaffPrincipal, @Param('exportId', idPipe) exportId: string) {
    return this.nvr.get(p, exportId);
  }

  @Post(':exportId/files/:name/link')
  @HttpCode(200)
  @ApiOperation({ summary: 'A signed download link for one file of a completed run, valid a few minutes' })
  link(
    @CurrentStaff() p: StaffPrincipal,
    @Param('exportId', idPipe) exportId: string,
    @Param('name', namePipe) name: string,
  ) {
    return this.nvr.downloadLink(p, exportId, name);
  }

  @Get(':exportId/files/:name')
  @Public()
  @ApiOperation({ summary: 'Download a file: with the ticket of a download link, or a bearer token' })
  async download(
    @Param('exportId', idPipe) exportId: string,
    @Param('name', namePipe) name: string,
    @Query(new ZodPipe(downloadQuerySchema)) q: { ticket?: string },
    @Headers('authorization') authorization?: string,
  ): Promise<StreamableFile> {
    let who: { userId: string; assignmentId: string | null };
    if (q.ticket) {
      who = this.nvr.verifyTicket(exportId, name, q.ticket);
    } else {
      const principal = this.tokens.verify(
        authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined,
      );
      if (!principal || principal.kind !== 'staff')
        throw new AppError(ErrorCode.UNAUTHORIZED, 'a download link or an access token is required');
      // the same check as for a link
      await this.nvr.downloadLink(principal, exportId, name);
      who = { userId: principal.userId, assignmentId: principal.assignmentId };
    }
    const f = await this.nvr.open(exportId, name, who);
    return new StreamableFile(f.stream, {
      type: f.type,
      length: f.size,
      disposition: `attachment; filename="${name}"`,
    });
  }
}

import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { notFound } from '../common/errors';
import { ApiZodBody, id, ZodPipe } from '../common/zod';
import { CurrentPrincipal, Public } from './auth.decorators';
import { AuthService } from './auth.service';
import type { Principal } from './principal';

const devLoginSchema = z.object({ hsaId: z.string().min(1, 'must not be empty').max(64) });
const switchSchema = z.object({ assignmentId: id });
const citizenLoginSchema = z.object({ personalIdentityNumber: z.string().max(20, 'is too long') });

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  private requireDev(): void {
    // Outside dev mode these endpoints do not exist.
    if (!this.auth.devMode) throw notFound('not found');
  }

  @Get('auth/dev-users')
  @Public()
  @ApiOperation({ summary: 'AUTH_MODE=dev only: the demo users and their assignments' })
  async devUsers() {
    this.requireDev();
    return this.auth.devUsers();
  }

  @Post('auth/dev-login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'AUTH_MODE=dev only: log in as a demo user' })
  @ApiZodBody(devLoginSchema)
  async devLogin(@Body(new ZodPipe(devLoginSchema)) body: z.infer<typeof devLoginSchema>) {
    this.requireDev();
    return this.auth.loginStaff({ hsaId: body.hsaId });
  }

  @Post('auth/switch')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Switch to another of your assignments (Växla uppdrag)' })
  @ApiZodBody(switchSchema)
  async switch(
    @CurrentPrincipal() p: Principal,
    @Body(new ZodPipe(switchSchema)) body: z.infer<typeof switchSchema>,
  ) {
    return this.auth.switchAssignment(p, body.assignmentId);
  }

  @Get('citizen/dev-citizens')
  @Public()
  @ApiOperation({ summary: 'AUTH_MODE=dev only: sample citizens for the BankID stand-in (one of each kind)' })
  async devCitizens() {
    this.requireDev();
    return this.auth.devCitizens();
  }

  @Post('citizen/dev-login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'AUTH_MODE=dev only: log in as a citizen (stands in for BankID)' })
  @ApiZodBody(citizenLoginSchema)
  async citizenLogin(@Body(new ZodPipe(citizenLoginSchema)) body: z.infer<typeof citizenLoginSchema>) {
    this.requireDev();
    return this.auth.loginCitizen(body.personalIdentityNumber);
  }
}

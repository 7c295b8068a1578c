import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal, StaffPrincipal } from './principal';

export const IS_PUBLIC = 'vaxops:public';
export const ALLOW_CITIZEN = 'vaxops:citizen';

/** No token needed (health, docs, dev login). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** Citizens may call this endpoint too (the handler checks what they may see). */
export const CitizenAllowed = () => SetMetadata(ALLOW_CITIZEN, true);

export type AuthedRequest = FastifyRequest & {
  principal?: Principal;
  /** the bearer token as verified earlier in this request (by the rate limiter), so it is verified once */
  verifiedToken?: { token: string; principal: (Principal & { exp: number }) | undefined };
};

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<AuthedRequest>().principal!;
});

/** The calling staff member (the guard has refused citizens unless @CitizenAllowed). */
export const CurrentStaff = createParamDecorator((_: unknown, ctx: ExecutionContext): StaffPrincipal => {
  return ctx.switchToHttp().getRequest<AuthedRequest>().principal as StaffPrincipal;
});

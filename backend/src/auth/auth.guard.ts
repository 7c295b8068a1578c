import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, ErrorCode } from '../common/errors';
import { ALLOW_CITIZEN, AuthedRequest, IS_PUBLIC } from './auth.decorators';
import { TokenService } from './token.service';

/**
 * Global guard: every endpoint needs a valid bearer token unless marked @Public. Citizens
 * reach only endpoints marked @CitizenAllowed. Role and unit are checked per endpoint through
 * the access policy, where the target (unit, region) is known.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    const earlier = req.verifiedToken;
    const principal = earlier && earlier.token === token ? earlier.principal : this.tokens.verify(token);
    if (!principal) {
      throw new AppError(
        ErrorCode.UNAUTHORIZED,
        token ? 'the access token is invalid or has expired' : 'an access token is required',
      );
    }
    if (principal.kind === 'citizen' && !this.reflector.getAllAndOverride<boolean>(ALLOW_CITIZEN, targets)) {
      throw new AppError(ErrorCode.FORBIDDEN, 'this endpoint is for staff');
    }
    req.principal = principal;
    return true;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/config';
import { fromClaims, Principal, TokenClaims, toClaims } from './principal';

/** Signs and verifies access tokens (HS256). The same token serves REST and the socket. */
@Injectable()
export class TokenService {
  private readonly jwt: JwtService;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.jwt = new JwtService({
      // A KeyObject: given a string, jsonwebtoken first tries it as a public key on every verify (~1 ms).
      secret: createSecretKey(Buffer.from(config.JWT_SECRET)) as unknown as Buffer,
      signOptions: { expiresIn: config.JWT_TTL_SECONDS, algorithm: 'HS256', issuer: 'vaxops' },
      verifyOptions: { algorithms: ['HS256'], issuer: 'vaxops' },
    });
  }

  sign(p: Principal): string {
    return this.jwt.sign(toClaims(p));
  }

  /** The principal, or undefined for a missing, malformed, forged or expired token. */
  verify(token: string | undefined): (Principal & { exp: number }) | undefined {
    if (!token) return undefined;
    try {
      const claims = this.jwt.verify<TokenClaims & { exp: number }>(token);
      return { ...fromClaims(claims), exp: claims.exp };
    } catch {
      return undefined;
    }
  }
}

import { http } from './http';
import type { DevUser, LoginResponse } from './types';

export const authApi = {
  devUsers: () => http.get<DevUser[]>('/auth/dev-users', { token: null }),
  devLogin: (hsaId: string) => http.post<LoginResponse>('/auth/dev-login', { hsaId }, { token: null }),
  switchAssignment: (assignmentId: string) => http.post<LoginResponse>('/auth/switch', { assignmentId }),
};

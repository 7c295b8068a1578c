import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { authApi } from '../api/auth';
import type { Assignment, LoginResponse, SessionUser } from '../api/types';
import { hasTimebookAccess } from '../lib/roles';

/** sessionStorage, not localStorage: a reload keeps the session, closing the tab ends it. */
const STORAGE_KEY = 'vaxops.session';

export interface Session {
  accessToken: string;
  assignments: Assignment[];
  activeAssignmentId: string;
  user: SessionUser;
}

/** Why the user is looking at the login page, shown there. */
export type LogoutReason = 'expired' | null;

export const useAuthStore = defineStore('auth', () => {
  const session = ref<Session | null>(readSession());
  const switching = ref(false);
  const logoutReason = ref<LogoutReason>(null);

  const token = computed(() => session.value?.accessToken ?? null);
  const user = computed(() => session.value?.user ?? null);
  const assignments = computed(() => session.value?.assignments ?? []);
  const activeAssignment = computed<Assignment | null>(() => {
    const s = session.value;
    return s ? (s.assignments.find((a) => a.id === s.activeAssignmentId) ?? null) : null;
  });
  const isLoggedIn = computed(() => session.value !== null);
  const canUseTimebook = computed(
    () => !!activeAssignment.value && hasTimebookAccess(activeAssignment.value.role),
  );

  function setSession(res: LoginResponse | null): void {
    session.value = res && {
      accessToken: res.accessToken,
      assignments: res.assignments,
      activeAssignmentId: res.activeAssignmentId,
      user: res.user,
    };
    writeSession(session.value);
  }

  async function login(hsaId: string): Promise<void> {
    setSession(await authApi.devLogin(hsaId));
    logoutReason.value = null;
  }

  /** "Växla uppdrag": a new token scoped to another assignment; the socket follows the token. */
  async function switchAssignment(assignmentId: string): Promise<void> {
    if (assignmentId === session.value?.activeAssignmentId) return;
    switching.value = true;
    try {
      setSession(await authApi.switchAssignment(assignmentId));
    } finally {
      switching.value = false;
    }
  }

  function logout(reason: LogoutReason = null): void {
    setSession(null);
    logoutReason.value = reason;
  }

  function $reset(): void {
    setSession(null);
    switching.value = false;
    logoutReason.value = null;
  }

  return {
    session,
    switching,
    logoutReason,
    token,
    user,
    assignments,
    activeAssignment,
    isLoggedIn,
    canUseTimebook,
    login,
    switchAssignment,
    logout,
    $reset,
  };
});

function readSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    return typeof s.accessToken === 'string' &&
      Array.isArray(s.assignments) &&
      typeof s.activeAssignmentId === 'string' &&
      s.user
      ? (s as Session)
      : null;
  } catch {
    return null;
  }
}

function writeSession(s: Session | null): void {
  try {
    if (s) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Private mode or full storage: the session simply does not survive a reload.
  }
}
